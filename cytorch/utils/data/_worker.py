"""The DataLoader worker process: its loop, its RNG seeding, and ``get_worker_info()``.

Protocol (one worker):

* main -> worker, through the worker's index queue: ``(task, keys)`` to fetch and collate,
  ``_Resume()`` to restart the epoch (persistent workers), ``None`` to exit.
* worker -> main, through the worker's own pipe: ``(task, payload)`` where payload is
  ``_shm.dumps(batch)`` (tensors in shared memory), an :class:`ExceptionWrapper`, or
  :class:`_WorkerDone` once an IterableDataset is exhausted (and for every task after that).
"""
import os
import queue
import random
import sys
import traceback

# a worker blocks on its index queue at most this long before checking that the main process lives
STATUS_CHECK_INTERVAL = 2.0


class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: ``id``, ``num_workers``, ``seed`` and
    ``dataset`` (this process's copy). Read-only."""

    __slots__ = ("id", "num_workers", "seed", "dataset")

    def __init__(self, id, num_workers, seed, dataset):
        for k, v in (("id", id), ("num_workers", num_workers), ("seed", seed), ("dataset", dataset)):
            object.__setattr__(self, k, v)

    def __setattr__(self, key, value):
        raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")

    def __repr__(self):
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, dataset={self.dataset!r})"


_worker_info = None


def get_worker_info():
    """In a DataLoader worker, its :class:`WorkerInfo`; in the main process, None.

    Use it in an IterableDataset's ``__iter__`` or in ``worker_init_fn`` to give each worker its own
    share of the data:

    Example::

        >>> class Range(cytorch.utils.data.IterableDataset):
        ...     def __iter__(self):
        ...         info = cytorch.utils.data.get_worker_info()
        ...         start, step = (0, 1) if info is None else (info.id, info.num_workers)
        ...         return iter(range(start, 10, step))
    """
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process with its traceback text."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_name = self.exc_type.__name__
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise ``exc_type("Caught X in DataLoader worker process N.\\nOriginal Traceback ...")``."""
        msg = f"Caught {self.exc_name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        try:
            raise exc
        finally:
            del exc      # no frame -> exception -> traceback -> frame cycle keeping the iterator alive


class _KeyErrorMessage(str):
    """KeyError repr()s its argument; this keeps the traceback readable."""

    def __repr__(self):
        return self


class _WorkerDone:
    """An IterableDataset worker has no more samples."""

    __slots__ = ("worker_id",)

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _Resume:
    """Start a new epoch (persistent workers): rebuild the fetcher, then acknowledge."""


def numpy_seed(base_seed, worker_id):
    """NumPy's legacy global seed for a worker: four 32-bit words from SeedSequence, so it differs
    from the ``random``/cytorch seed and between workers."""
    import numpy as np
    return np.random.SeedSequence([worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32]).generate_state(4)


def seed_worker(base_seed, worker_id):
    """Seed cytorch's default generator, ``random`` and NumPy's global RNG; return the seed."""
    import cytorch
    seed = base_seed + worker_id
    random.seed(seed)
    cytorch.manual_seed(seed)
    if "numpy" in sys.modules:
        import numpy as np
        np.random.seed(numpy_seed(base_seed, worker_id))
    return seed


def _main_alive(main_pid, parent_pid):
    if os.getppid() != parent_pid:
        return False
    try:
        os.kill(main_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def worker_loop(fetcher_factory, dataset, is_iterable, index_queue, conn, done_event, base_seed, init_fn,
                worker_id, num_workers, shm_prefix, main_pid):
    """The body of one worker process."""
    # One thread, first of all: a forked child must not enter the parent's OpenMP pool, and
    # num_workers processes on one thread each don't oversubscribe the cores.
    import cytorch
    cytorch.set_num_threads(1)
    from cytorch.utils.data import _shm
    global _worker_info
    parent_pid = os.getppid()
    _shm.set_prefix(shm_prefix)
    try:
        seed = seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
        init_error = None        # a failed worker_init_fn / dataset iterator: every task reports it
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = fetcher_factory(dataset)
        except Exception:
            init_error = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        ended = False
        while True:
            try:
                msg = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if not _main_alive(main_pid, parent_pid):
                    break
                continue
            if msg is None:
                break
            if isinstance(msg, _Resume):
                ended = False
                try:
                    fetcher = fetcher_factory(dataset)
                except Exception:
                    init_error = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                conn.send_bytes(_shm.dumps((None, msg)))
                continue
            if done_event.is_set():
                continue          # shutting down: skip queued work until the None arrives
            task, keys = msg
            if init_error is not None:
                data = init_error
            elif ended:
                data = _WorkerDone(worker_id)
            else:
                try:
                    data = fetcher(keys)
                except StopIteration:
                    if not is_iterable:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                    else:
                        data, ended = _WorkerDone(worker_id), True
                except Exception:
                    data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            try:
                payload = _shm.dumps((task, data))
            except Exception:
                if isinstance(data, ExceptionWrapper):
                    data.exc_type = RuntimeError     # its class can't be pickled; its text goes on
                else:
                    data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                payload = _shm.dumps((task, data))
            conn.send_bytes(payload)
            del data, payload, msg, keys
    except (KeyboardInterrupt, BrokenPipeError):
        pass            # the main process is interrupted or gone; it cleans up
    finally:
        if not _main_alive(main_pid, parent_pid):
            _shm.unlink_prefix(shm_prefix)   # nobody else will: remove what this worker left
