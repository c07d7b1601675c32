"""DataLoader: batches from a dataset, in this process or in worker processes.

Single process (``num_workers=0``): each step takes the next keys from the (batch) sampler, fetches
them — with one ``__getitems__`` call when the dataset has one — and collates.

Worker processes (``num_workers=N``): the main process hands out tasks ``(task number, keys)``
round-robin through one queue per worker, keeping ``prefetch_factor * N`` of them in flight. Each
worker fetches and collates (tensors straight into shared memory, see ``_shm``) and answers on its
own pipe with the segment names and layouts; the main process maps the segments zero-copy and
yields batches in task order (``in_order=False``: as they arrive). It waits on the pipes and on the
worker processes' sentinels together, so a worker that dies raises at once instead of hanging.
Shutdown (end of epoch, iterator dropped, ``break``, KeyboardInterrupt, interpreter exit) tells the
workers to stop, drains their pipes, joins (terminating stragglers), and removes any shared-memory
segment left under the loader's name prefix.
"""
import itertools
import math
import multiprocessing
import os
import secrets
import signal
import time
import warnings
import weakref
from multiprocessing.connection import wait as _wait

import cytorch
from cytorch.utils.data import _shm, _worker
from cytorch.utils.data._collate import default_collate, default_convert
from cytorch.utils.data._worker import ExceptionWrapper, get_worker_info, _Resume, _WorkerDone
from cytorch.utils.data.dataset import IterableDataset
from cytorch.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, _draw_seed

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

_JOIN_TIMEOUT = 5.0      # seconds shutdown waits for workers before terminating them


class _DatasetKind:
    Map = 0
    Iterable = 1


class _InfiniteConstantSampler(Sampler):
    """None, None, ... : the keys for an IterableDataset (the dataset decides what comes next)."""

    def __iter__(self):
        return itertools.repeat(None)


# ---------------------------------------------------------------- fetchers

class _MapFetcher:
    def __init__(self, dataset, auto_collation, collate_fn):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        getitems = getattr(dataset, "__getitems__", None)
        self.getitems = getitems if callable(getitems) else None

    def __call__(self, keys):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[keys])
        if self.getitems is not None:
            return self.collate_fn(self.getitems(keys))
        return self.collate_fn([self.dataset[k] for k in keys])


class _IterableFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.it = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def __call__(self, keys):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.it))
        data = []
        for _ in keys:
            try:
                data.append(next(self.it))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(keys)):
            raise StopIteration
        return self.collate_fn(data)


class _FetcherFactory:
    """Builds a fetcher for a dataset (picklable, so spawned workers build their own)."""

    def __init__(self, kind, auto_collation, collate_fn, drop_last):
        self.kind = kind
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def __call__(self, dataset):
        if self.kind == _DatasetKind.Iterable:
            return _IterableFetcher(dataset, self.auto_collation, self.collate_fn, self.drop_last)
        return _MapFetcher(dataset, self.auto_collation, self.collate_fn)


# ---------------------------------------------------------------- DataLoader

class DataLoader:
    """Iterate over a dataset in (shuffled, collated) batches, optionally with worker processes.

    Args:
        dataset (Dataset): map-style (``__getitem__``/``__len__``) or an :class:`IterableDataset`.
        batch_size (int or None): samples per batch (default 1); None turns automatic batching off
            (each key is fetched alone and passed through ``default_convert``).
        shuffle (bool): reshuffle every epoch (map-style only).
        sampler (Sampler or iterable): the key order (excludes ``shuffle``).
        batch_sampler (Sampler or iterable): yields lists of keys (excludes batch_size, shuffle,
            sampler and drop_last).
        num_workers (int): worker processes (0: load in this process).
        collate_fn (callable): list of samples -> batch (default :func:`default_collate`).
        pin_memory (bool): accepted; there is no device memory to pin on the CPU (warns, like
            PyTorch without an accelerator).
        drop_last (bool): drop the last batch when it is short.
        timeout (float): seconds to wait for a batch from the workers (0: forever); past it,
            ``RuntimeError("DataLoader timed out after N seconds")``.
        worker_init_fn (callable): called as ``worker_init_fn(worker_id)`` in each worker, after
            seeding and before loading.
        multiprocessing_context (str or context): ``'fork'``, ``'spawn'``, ``'forkserver'`` or a
            ``multiprocessing`` context (default: the platform's default).
        generator (Generator): draws the workers' base seed and the RandomSampler's seed.
        prefetch_factor (int): batches in flight per worker (default 2 with workers).
        persistent_workers (bool): keep the workers alive between epochs.
        pin_memory_device (str): accepted and ignored.
        in_order (bool): yield batches in sampler order (default); False yields them as they arrive.

    Each worker seeds cytorch's default generator and Python's ``random`` with ``base_seed + id``
    and NumPy's global RNG from (base_seed, id), where ``base_seed`` is drawn from ``generator``
    (or cytorch's default generator) when the iterator starts; so a seeded program loads the same
    batches on every run, and the same ones as ``num_workers=0`` for a deterministic dataset. Each
    worker runs cytorch's kernels and OpenBLAS on one thread.

    Example::

        >>> x, y = cytorch.randn(100, 3), cytorch.arange(100)
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
        >>> xb, yb = next(iter(loader))
        >>> xb.shape, yb.shape
        (cytorch.Size([32, 3]), cytorch.Size([32]))
    """

    __initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                             "to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, "
                                 f"but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                                 f"but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called = None
        self._iterator = None
        self.check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, ctx):
        if ctx is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process loading "
                                 f"(num_workers > 0), but got num_workers={self.num_workers}")
            if isinstance(ctx, str):
                methods = multiprocessing.get_all_start_methods()
                if ctx not in methods:
                    raise ValueError(f"multiprocessing_context option should specify a valid start method in "
                                     f"{methods!r}, but got multiprocessing_context={ctx!r}")
                ctx = multiprocessing.get_context(ctx)
            if not isinstance(ctx, multiprocessing.context.BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context object or a string "
                                f"specifying the start method, but got multiprocessing_context={ctx}")
        self.__multiprocessing_context = ctx

    def __setattr__(self, attr, val):
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                           "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessIter(self)

    def __iter__(self):
        """A new iterator each epoch; with persistent workers, the same one, restarted."""
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None or self._iterator._pool.closed:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self):
        """Batches per epoch; for an IterableDataset, from ``len(dataset)`` (a warning follows if
        iteration yields more)."""
        if self._dataset_kind == _DatasetKind.Iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        """Warn when more workers are asked for than this process may use CPUs."""
        if self.num_workers == 0:
            return
        try:
            cpus = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cpus = os.cpu_count()
        if cpus is not None and self.num_workers > cpus:
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. Our suggested max number "
                f"of worker in current system is {cpus}, which is smaller than what this DataLoader is going to "
                "create. Please be aware that excessive worker creation might get DataLoader running slow or even "
                "freeze, lower the worker number to avoid potential slowness/freeze if necessary.", stacklevel=2)


# ---------------------------------------------------------------- iterators

class _BaseIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._persistent_workers = loader.persistent_workers
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                          "memory won't be used.", stacklevel=3)
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = _draw_seed(loader.generator)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._factory = _FetcherFactory(self._dataset_kind, self._auto_collation, self._collate_fn, self._drop_last)

    def __iter__(self):
        return self

    def _reset(self, loader):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if self._dataset_kind == _DatasetKind.Iterable and self._IterableDataset_len_called is not None \
                and self._num_yielded > self._IterableDataset_len_called:
            msg = (f"Length of IterableDataset {self._dataset} was reported to be {self._IterableDataset_len_called}"
                   f"(when accessing len(dataloader)), but {self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not properly configuring the "
                        "IterableDataset replica at each worker. Please see "
                        "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for examples.")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{type(self).__name__} cannot be pickled")


class _SingleProcessIter(_BaseIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._fetch = self._factory(self._dataset)

    def _next_data(self):
        return self._fetch(next(self._sampler_iter))


class _WorkerPool:
    """The worker processes and their channels. Owns no reference to the iterator, so dropping the
    iterator runs :meth:`shutdown` (through a weakref.finalize, also at interpreter exit)."""

    def __init__(self, ctx, n, args_of):
        self.closed = False
        self.owner_pid = os.getpid()
        self.prefix = f"ct_{os.getpid()}_{secrets.token_hex(3)}_"
        self.done_event = ctx.Event()
        self.queues, self.conns, self.procs = [], [], []
        try:
            for i in range(n):
                q = ctx.Queue()
                q.cancel_join_thread()      # never block exit on undelivered tasks
                r, w = ctx.Pipe(duplex=False)
                p = ctx.Process(target=_worker.worker_loop, args=args_of(i, q, w, self.done_event,
                                                                          f"{self.prefix}w{i}_"), daemon=True)
                self.queues.append(q)
                self.conns.append(r)
                self.procs.append(p)
                p.start()
                w.close()                   # the worker holds the only write end: EOF when it exits
        except BaseException:
            self.shutdown()
            raise

    def shutdown(self):
        # a forked child inherits this pool (and its finalizer, which the child's garbage collector
        # may run): only the process that started the workers stops them
        if self.closed or os.getpid() != self.owner_pid:
            return
        self.closed = True
        try:
            self.done_event.set()
            for q in self.queues:
                try:
                    q.put(None)
                except (OSError, ValueError):
                    pass
            live = [p for p in self.procs if p.pid is not None]
            open_conns = [c for c in self.conns if not c.closed]
            deadline = time.monotonic() + _JOIN_TIMEOUT
            while live and time.monotonic() < deadline:
                # drain the pipes so that no worker stays blocked sending a batch nobody wants
                for obj in _wait(open_conns + [p.sentinel for p in live], timeout=0.05):
                    if obj in open_conns:
                        try:
                            obj.recv_bytes()
                        except (EOFError, OSError):
                            open_conns.remove(obj)
                live = [p for p in live if p.exitcode is None]
            for p in live:
                p.terminate()
            for p in self.procs:
                if p.pid is not None:
                    p.join(1.0)
                    if p.exitcode is None:
                        p.kill()
                        p.join()
        finally:
            for c in self.conns:
                c.close()
            for q in self.queues:
                q.close()
            _shm.unlink_prefix(self.prefix)


def _death_message(p):
    p.join(1.0)            # its sentinel fires as it exits, a moment before it can be reaped
    code = p.exitcode
    if code is not None and code < 0:
        try:
            how = f"killed by signal: {signal.strsignal(-code)}"
        except (ValueError, AttributeError):
            how = f"killed by signal {-code}"
    else:
        how = f"exit code {code}"
    return f"DataLoader worker (pid {p.pid}) exited unexpectedly ({how})"


class _MultiProcessIter(_BaseIter):
    def __init__(self, loader):
        super().__init__(loader)
        if not _shm.HAVE_SHM:
            raise RuntimeError("cytorch DataLoader workers need POSIX shared memory (_posixshmem)")
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        try:
            # what a worker imports, imported here first: a forked child must not take an import
            # lock that another thread of this process held at the fork
            import threadpoolctl  # noqa: F401
        except ImportError:
            pass
        self._prefetch = loader.prefetch_factor
        self._in_order = loader.in_order
        n = self._num_workers
        is_iterable = self._dataset_kind == _DatasetKind.Iterable
        main_pid = os.getpid()

        def args_of(i, q, w, done_event, prefix):
            return (self._factory, self._dataset, is_iterable, q, w, done_event, self._base_seed,
                    loader.worker_init_fn, i, n, prefix, main_pid)

        self._pool = _WorkerPool(ctx, n, args_of)
        # runs when the iterator is dropped (end of a for loop, break) and at interpreter exit
        self._finalizer = weakref.finalize(self, self._pool.shutdown)
        self._start_epoch()

    def _start_epoch(self):
        n = self._num_workers
        self._send_idx = 0
        self._rcvd_idx = 0
        self._pending = {}               # task -> worker, sent and not yet answered
        self._results = {}               # task -> data, answered and not yet yielded
        self._active = [True] * n        # False once a worker's IterableDataset is exhausted
        self._in_flight = [0] * n
        self._rr = itertools.cycle(range(n))
        for _ in range(self._prefetch * n):
            self._try_put_index()

    def _reset(self, loader):
        """Persistent workers: restart the epoch, dropping whatever the last one left in flight."""
        super()._reset(loader)
        for q in self._pool.queues:
            q.put(_Resume())
        acks = self._num_workers
        self._active = [True] * self._num_workers
        self._pending = {}
        while acks:
            _, data = self._receive(resuming=True)
            if isinstance(data, _Resume):
                acks -= 1
        self._start_epoch()

    def _try_put_index(self):
        n = self._num_workers
        if not any(self._active):
            return
        try:
            keys = next(self._sampler_iter)
        except StopIteration:
            return
        limit = self._prefetch * n // sum(self._active)
        for _ in range(n):
            w = next(self._rr)
            if self._active[w] and (self._in_order or self._in_flight[w] < max(limit, 1)):
                break
        else:
            w = next(i for i in range(n) if self._active[i])
        self._pool.queues[w].put((self._send_idx, keys))
        self._pending[self._send_idx] = w
        self._in_flight[w] += 1
        self._send_idx += 1

    def _next_data(self):
        try:
            while True:
                if self._in_order:
                    while self._rcvd_idx < self._send_idx and self._rcvd_idx not in self._pending \
                            and self._rcvd_idx not in self._results:
                        self._rcvd_idx += 1       # a task answered "no more data"
                    if self._rcvd_idx in self._results:
                        data = self._results.pop(self._rcvd_idx)
                        self._rcvd_idx += 1
                        return self._yield(data)
                elif self._results:
                    return self._yield(self._results.pop(next(iter(self._results))))
                if not self._pending:
                    if not self._persistent_workers:
                        self._shutdown()
                    raise StopIteration
                self._store(*self._receive())
        except KeyboardInterrupt:
            self._shutdown()
            raise

    def _yield(self, data):
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _store(self, task, data):
        w = self._pending.pop(task)
        self._in_flight[w] -= 1
        if isinstance(data, _WorkerDone):
            if self._active[w]:
                self._active[w] = False
                if not self._persistent_workers:
                    self._pool.queues[w].put(None)
            self._try_put_index()
        else:
            self._results[task] = data

    def _receive(self, resuming=False):
        """The next (task, data) from any worker; raises if a worker died or ``timeout`` passed."""
        pool = self._pool
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            # a worker must stay alive while it owes answers (or, resuming, an acknowledgement)
            owing = set(self._pending.values()) if not resuming else set(range(self._num_workers))
            owing.update(i for i in range(self._num_workers) if self._active[i])
            watched = {pool.procs[i].sentinel: i for i in owing}
            conns = [c for c in pool.conns if not c.closed]
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0)
            ready = _wait(conns + list(watched), timeout=remaining)
            if not ready:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            for obj in ready:
                if obj in conns:
                    try:
                        raw = obj.recv_bytes()
                    except (EOFError, OSError):
                        obj.close()           # that worker has exited; its sentinel tells how
                        continue
                    return _shm.loads(raw)
            for obj in ready:
                if obj in watched:
                    p = pool.procs[watched[obj]]
                    conn = pool.conns[watched[obj]]
                    if not conn.closed and conn.poll():
                        break                 # read what it sent before it died first
                    msg = _death_message(p)
                    self._shutdown()
                    raise RuntimeError(msg)

    def _shutdown(self):
        self._finalizer()
