"""DataLoader with worker processes: determinism, seeding, errors, dead workers, timeouts,
shared-memory transport and cleanup (nothing left in /dev/shm), persistent workers, sharding.

Kept small (2 workers, tiny datasets): the whole file runs in well under a minute on 2 cores.
"""
import functools
import gc
import os
import random
import signal
import struct
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import cytorch
from cytorch.utils.data import DataLoader, Dataset, IterableDataset, TensorDataset, get_worker_info

pytestmark = pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="needs POSIX shared memory in /dev/shm")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def leftovers(pid=None):
    """Shared-memory segments a loader of process ``pid`` (default: this one) still has."""
    prefix = f"ct_{pid or os.getpid()}_"
    return [n for n in os.listdir("/dev/shm") if n.startswith(prefix)]


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:       # a zombie is dead too
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


class Rows(Dataset):
    """Deterministic samples of several kinds."""

    def __init__(self, n=23):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": cytorch.arange(4.) + i, "i": i, "f": i / 2, "s": f"row{i}", "a": np.full(2, i, np.int16)}


class RandomDraws(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return (cytorch.rand(1), random.random(), float(np.random.rand()), info.id if info else -1,
                info.seed if info else -1)


class Fails(Dataset):
    def __init__(self, exc=ValueError, at=7):
        self.exc, self.at = exc, at

    def __len__(self):
        return 16

    def __getitem__(self, i):
        if i == self.at:
            raise self.exc("bad sample 7")
        return i


class TwoArgError(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


class FailsTwoArg(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        raise TwoArgError(1, 2)


class Killer(Dataset):
    def __len__(self):
        return 16

    def __getitem__(self, i):
        if i == 5:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


class Sleepy(Dataset):
    def __init__(self, delay):
        self.delay = delay

    def __len__(self):
        return 16

    def __getitem__(self, i):
        time.sleep(self.delay)
        return i


class Pid(Dataset):
    def __len__(self):
        return 12

    def __getitem__(self, i):
        return i, os.getpid(), cytorch.get_num_threads()


class Sharded(IterableDataset):
    """range(start, end) split between workers in __iter__ (PyTorch's doc example 1)."""

    info = staticmethod(get_worker_info)

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        info = self.info()
        if info is None:
            return iter(range(self.start, self.end))
        per = -(-(self.end - self.start) // info.num_workers)
        lo = self.start + info.id * per
        return iter(range(lo, min(lo + per, self.end)))


class Whole(IterableDataset):
    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        return iter(range(self.start, self.end))


def split_in_init(worker_id, get_worker_info=get_worker_info):
    """PyTorch's doc example 2: shard the worker's dataset copy in worker_init_fn."""
    info = get_worker_info()
    ds = info.dataset
    per = -(-(ds.end - ds.start) // info.num_workers)
    ds.start = ds.start + worker_id * per
    ds.end = min(ds.start + per, ds.end)


def tag_init(worker_id):
    get_worker_info().dataset.tag = 100 + worker_id


def failing_init(worker_id):
    raise OSError(f"init failed in {worker_id}")


class Tagged(Dataset):
    tag = -1

    def __len__(self):
        return 6

    def __getitem__(self, i):
        return self.tag


def plain(b):
    return b.tolist() if hasattr(b, "tolist") else b


def py(batches):
    out = []
    for b in batches:
        if isinstance(b, dict):
            out.append({k: py([v])[0] for k, v in b.items()})
        elif isinstance(b, (list, tuple)):
            out.append(type(b)(py(b)))
        elif hasattr(b, "tolist") and not isinstance(b, (str, float, int)):
            out.append((str(b.dtype).split(".")[-1], b.tolist()))
        else:
            out.append(b)
    return out


# ---------------------------------------------------------------- determinism and seeding

def test_workers_give_the_same_batches_as_one_process():
    x = cytorch.arange(200.).view(50, 4)
    ds = TensorDataset(x, cytorch.arange(50))
    one = py(DataLoader(ds, batch_size=8, shuffle=True, generator=cytorch.Generator().manual_seed(1)))
    two = py(DataLoader(ds, batch_size=8, shuffle=True, num_workers=2, generator=cytorch.Generator().manual_seed(1)))
    assert one == two
    assert py(DataLoader(Rows(), batch_size=5)) == py(DataLoader(Rows(), batch_size=5, num_workers=2))
    assert py(DataLoader(Rows(), batch_size=None)) == py(DataLoader(Rows(), batch_size=None, num_workers=2))
    unordered = py(DataLoader(Rows(), batch_size=5, num_workers=2, in_order=False))
    assert sorted(b["i"][1] for b in unordered) == sorted(b["i"][1] for b in py(DataLoader(Rows(), batch_size=5)))
    assert not leftovers()


def test_worker_rngs_are_seeded_from_the_loader_generator():
    def run():
        return [tuple(c.tolist() for c in b) for b in
                DataLoader(RandomDraws(), batch_size=2, num_workers=2, generator=cytorch.Generator().manual_seed(7))]
    a, b = run(), run()
    assert a == b                                   # reproducible
    t, r, n, wid, seed = (sum((col[k] for col in a), []) for k in range(5))
    assert wid == [0, 0, 1, 1, 0, 0, 1, 1]          # tasks go round-robin
    s0, s1 = seed[0], seed[2]
    assert s1 == s0 + 1                             # seed = base_seed + worker_id
    expected_base = int(cytorch.empty((), dtype=cytorch.int64).random_(
        generator=cytorch.Generator().manual_seed(7)).item())
    assert s0 == expected_base
    g = cytorch.Generator().manual_seed(s0)
    assert t[0] == [cytorch.rand(1, generator=g).item()]
    assert r[0] == random.Random(s0).random() and r[2] == random.Random(s1).random()
    assert len(set(n)) == len(n)                    # NumPy draws differ across workers and steps
    assert a != [tuple(c.tolist() for c in b) for b in
                 DataLoader(RandomDraws(), batch_size=2, num_workers=2, generator=cytorch.Generator().manual_seed(8))]


def test_worker_info_threads_and_processes():
    rows = list(DataLoader(Pid(), batch_size=3, num_workers=2))
    pids = {p for b in rows for p in b[1].tolist()}
    assert len(pids) == 2 and os.getpid() not in pids
    assert {n for b in rows for n in b[2].tolist()} == {1}     # one thread per worker
    assert get_worker_info() is None
    with pytest.raises(RuntimeError, match="Cannot assign attributes"):
        from cytorch.utils.data._worker import WorkerInfo
        WorkerInfo(0, 1, 0, None).id = 3


def test_worker_init_fn():
    got = [b.tolist() for b in DataLoader(Tagged(), batch_size=3, num_workers=2, worker_init_fn=tag_init)]
    assert got == [[100] * 3, [101] * 3]
    with pytest.raises(OSError, match="Caught OSError in DataLoader worker process 0") as e:
        list(DataLoader(Tagged(), batch_size=3, num_workers=2, worker_init_fn=failing_init))
    assert "init failed in 0" in str(e.value)
    del e
    gc.collect()
    assert not leftovers()


# ---------------------------------------------------------------- errors

def test_worker_exception_is_reraised_with_its_traceback():
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 1") as e:
        list(DataLoader(Fails(), batch_size=2, num_workers=2))
    msg = str(e.value)
    assert "Original Traceback" in msg and "bad sample 7" in msg and "__getitem__" in msg
    del e            # its traceback holds the iterator (and so its workers) alive
    with pytest.raises(KeyError, match="Caught KeyError"):
        list(DataLoader(Fails(KeyError), batch_size=2, num_workers=2))
    with pytest.raises(RuntimeError, match="Caught TwoArgError"):
        list(DataLoader(FailsTwoArg(), batch_size=2, num_workers=2))
    # the iterator survives a worker exception: later batches still come
    it = iter(DataLoader(Fails(), batch_size=2, num_workers=2))
    got = []
    while True:
        try:
            got.append(next(it).tolist())
        except ValueError:
            got.append("error")
        except StopIteration:
            break
    assert got[3] == "error" and got[4] == [8, 9] and len(got) == 8
    del it
    gc.collect()
    assert not leftovers()


def test_unpicklable_exception_type_still_reports():
    class LocalError(Exception):
        pass

    class Local(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            raise LocalError("nope")
    with pytest.raises(RuntimeError, match="Caught LocalError in DataLoader worker process 0") as e:
        list(DataLoader(Local(), num_workers=1))
    assert "nope" in str(e.value)


def test_killed_worker_raises_instead_of_hanging():
    t0 = time.monotonic()
    it = iter(DataLoader(Killer(), batch_size=2, num_workers=2))
    procs = list(it._pool.procs)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+\) exited unexpectedly.*Killed"):
        list(it)
    assert time.monotonic() - t0 < 10
    assert all(p.exitcode is not None for p in procs)
    assert not leftovers()


def test_timeout():
    it = iter(DataLoader(Sleepy(0.6), batch_size=1, num_workers=2, timeout=0.2))
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0\.2 seconds"):
        next(it)
    assert time.monotonic() - t0 < 0.55
    time.sleep(0.6)
    assert next(it).tolist() == [0]                 # still usable: the batch came in the meantime
    del it
    assert not leftovers()


# ---------------------------------------------------------------- shutdown and cleanup

def test_break_and_drop_stops_workers_and_leaves_no_segments():
    it = iter(DataLoader(Rows(40), batch_size=4, num_workers=2))
    next(it)
    procs = list(it._pool.procs)
    time.sleep(0.3)              # let the workers send their prefetched batches
    assert leftovers()           # ... which wait in /dev/shm until received
    del it
    assert all(p.exitcode is not None for p in procs)
    assert not leftovers()
    for b in DataLoader(Rows(40), batch_size=4, num_workers=2):
        break
    assert not leftovers()


def test_keyboard_interrupt_while_waiting_shuts_down():
    it = iter(DataLoader(Sleepy(0.3), batch_size=2, num_workers=2))
    procs = list(it._pool.procs)
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        next(it)
    timer.join()
    assert it._pool.closed and all(p.exitcode is not None for p in procs)
    assert not leftovers()


SCRIPT = """
import os, sys, time
sys.path.insert(0, {root!r})
import cytorch
from cytorch.utils.data import DataLoader, Dataset

class Slow(Dataset):
    def __len__(self): return 1000
    def __getitem__(self, i):
        time.sleep(0.01)
        return cytorch.full((256,), float(i))

it = iter(DataLoader(Slow(), batch_size=4, num_workers=2))
next(it)
print(" ".join(str(p.pid) for p in it._pool.procs), flush=True)
{tail}
"""


@pytest.mark.parametrize("how", ["exit", "sigkill"])
def test_main_process_exit_or_death_leaves_nothing(how):
    tail = "sys.exit(0)" if how == "exit" else "time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT.format(root=ROOT, tail=tail)], stdout=subprocess.PIPE,
                            text=True)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 2
        if how == "sigkill":
            proc.kill()          # no cleanup runs in the main process: the workers notice and clean up
        proc.wait(timeout=20)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (any(alive(p) for p in pids) or leftovers(proc.pid)):
            time.sleep(0.1)
        assert not any(alive(p) for p in pids)
        assert not leftovers(proc.pid)
    finally:
        proc.kill()


# ---------------------------------------------------------------- persistent workers, sharding

def test_persistent_workers_across_epochs():
    dl = DataLoader(Pid(), batch_size=2, num_workers=2, persistent_workers=True)
    expected = [[2 * k, 2 * k + 1] for k in range(6)]
    e1 = list(dl)
    pids = {p for b in e1 for p in b[1].tolist()}
    for k, b in enumerate(dl):              # a partial epoch ...
        if k == 1:
            break
    e3 = list(dl)                           # ... then a full one, from the start
    assert [b[0].tolist() for b in e1] == expected and [b[0].tolist() for b in e3] == expected
    assert {p for b in e3 for p in b[1].tolist()} == pids
    procs = list(dl._iterator._pool.procs)
    del dl, e1, e3
    gc.collect()
    assert all(p.exitcode is not None for p in procs)
    assert not leftovers()


def test_iterable_sharding_matches_torch(torch):
    class TSharded(torch.utils.data.IterableDataset):
        info = staticmethod(torch.utils.data.get_worker_info)
        __init__ = Sharded.__init__
        __iter__ = Sharded.__iter__

    class TWhole(torch.utils.data.IterableDataset):
        __init__ = Whole.__init__
        __iter__ = Whole.__iter__
    cases = [(Sharded(0, 7), TSharded(0, 7), dict(batch_size=2)),
             (Sharded(3, 7), TSharded(3, 7), dict(batch_size=None)),
             (Sharded(0, 9), TSharded(0, 9), dict(batch_size=2, drop_last=True)),
             (Whole(3, 7), TWhole(3, 7), dict(batch_size=None, worker_init_fn=split_in_init)),
             (Whole(3, 7), TWhole(3, 7), dict(batch_size=None))]        # unsharded: duplicates, like PyTorch
    for ours, ref, kw in cases:
        a = [plain(b) for b in DataLoader(ours, num_workers=2, **kw)]
        if "worker_init_fn" in kw:
            kw["worker_init_fn"] = functools.partial(split_in_init, get_worker_info=torch.utils.data.get_worker_info)
        b = [plain(b) for b in torch.utils.data.DataLoader(ref, num_workers=2, **kw)]
        assert a == b, kw
    dl = DataLoader(Sharded(0, 7), batch_size=2, num_workers=2, persistent_workers=True)
    assert [b.tolist() for b in dl] == [b.tolist() for b in dl] == [[0, 1], [4, 5], [2, 3], [6]]
    del dl
    assert not leftovers()


# ---------------------------------------------------------------- shared-memory transport

class Kinds(Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        base = cytorch.arange(6.).view(2, 3) + i
        return {"f32": base, "f64": base.double(), "f16": base.half(), "bf16": base.bfloat16(), "b": base > 3,
                "i8": base.to(cytorch.int8), "c64": base.to(cytorch.complex64), "e": cytorch.empty(0, 3),
                "s": "x" * i, "n": i}


def views_collate(batch):
    t = cytorch.stack([s["f32"] for s in batch])
    return t.transpose(1, 2), t[:, 1], t, [s["n"] for s in batch]


def test_tensors_travel_through_shared_memory():
    one = list(DataLoader(Kinds(), batch_size=3))
    two = list(DataLoader(Kinds(), batch_size=3, num_workers=2))
    for a, b in zip(one, two):
        for k in a:
            if k in ("s", "n"):
                assert a[k] == b[k] if k == "s" else a[k].tolist() == b[k].tolist()
                continue
            assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape
            assert a[k].float().tolist() == b[k].float().tolist() if k != "c64" else \
                np.array_equal(a[k].numpy(), b[k].numpy())
            if b[k].numel():
                assert b[k].is_shared(), k
    tr, row, full, ns = next(iter(DataLoader(Kinds(), batch_size=3, num_workers=2, collate_fn=views_collate)))
    ref = views_collate([Kinds()[i] for i in range(3)])
    assert tr.tolist() == ref[0].tolist() and tr.stride() == ref[0].stride()
    assert row.tolist() == ref[1].tolist() and ns == [0, 1, 2]
    full[0, 1, 1] = -5.0                     # the views share one mapping, as in the worker
    assert tr[0, 1, 1].item() == -5.0 and row[0, 1].item() == -5.0
    assert not leftovers()


def test_large_non_tensor_payload_does_not_block():
    class Strings(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return "y" * 300_000
    assert [len(b[0]) for b in DataLoader(Strings(), batch_size=2, num_workers=2)] == [300_000, 300_000]


def _exclusive_pages(addr, nbytes):
    """Pages of [addr, addr + nbytes) mapped only by this process (bit 56 of /proc/self/pagemap)."""
    page = os.sysconf("SC_PAGE_SIZE")
    first, last = addr // page, (addr + nbytes - 1) // page
    with open("/proc/self/pagemap", "rb") as f:
        f.seek(first * 8)
        raw = f.read((last - first + 1) * 8)
    return sum((e >> 56) & 1 for e in struct.unpack(f"{len(raw) // 8}Q", raw))


class BigRows(Dataset):
    def __init__(self):
        self.x = cytorch.ones(32, 65536)        # 8 MiB held in one tensor

    def __len__(self):
        return 32

    def __getitem__(self, i):
        s = self.x[i].sum()
        return s, _exclusive_pages(self.x.data_ptr(), self.x.numel() * 4)


@pytest.mark.skipif(not os.access("/proc/self/pagemap", os.R_OK), reason="needs /proc/self/pagemap")
def test_dataset_tensors_are_not_copied_into_workers():
    ds = BigRows()
    pages = ds.x.numel() * 4 // os.sysconf("SC_PAGE_SIZE")
    assert _exclusive_pages(ds.x.data_ptr(), ds.x.numel() * 4) >= pages * 0.9     # the test sees private pages
    sums, excl = zip(*DataLoader(ds, batch_size=4, num_workers=2,
                                 multiprocessing_context="fork"))
    assert all(v == 65536.0 for s in sums for v in s.tolist())
    # after reading every row, the workers still share all of the dataset's pages with the parent
    assert max(max(e.tolist()) for e in excl) <= pages * 0.02


def test_spawn_context():
    ds = TensorDataset(cytorch.arange(20.).view(10, 2), cytorch.arange(10))
    got = py(DataLoader(ds, batch_size=4, num_workers=2, multiprocessing_context="spawn"))
    assert got == py(DataLoader(ds, batch_size=4))
    assert not leftovers()


def derived_collate(batch):
    return cytorch.utils.data.default_collate(batch)["x"] * 2      # the stacked batch is dropped


def test_unsent_segments_are_released_in_the_worker():
    it = iter(DataLoader(Rows(64), batch_size=2, num_workers=2, collate_fn=derived_collate))
    for _ in range(12):
        next(it)
    time.sleep(0.3)
    # only the prefetched batches wait in /dev/shm, not one stacked intermediate per batch
    assert len(leftovers()) <= 2 * 2
    assert next(it).tolist() == [[48., 50., 52., 54.], [50., 52., 54., 56.]]
    del it
    assert not leftovers()


class CachedBatch:
    """A collate_fn that returns the same (shared-memory) batch every time."""

    def __init__(self):
        self.cache = None

    def __call__(self, batch):
        if self.cache is None:
            self.cache = cytorch.utils.data.default_collate(batch)
        return self.cache


def test_a_batch_sent_twice_still_arrives():
    got = [b["x"] for b in DataLoader(Rows(12), batch_size=2, num_workers=1, collate_fn=CachedBatch())]
    assert got[0].is_shared() and len(got) == 6
    assert all(g.tolist() == [[0., 1., 2., 3.], [1., 2., 3., 4.]] for g in got)
    assert not leftovers()


def collect_garbage(worker_id):
    gc.collect()


def test_a_forked_worker_never_stops_its_parents_other_loaders():
    gc.disable()         # keep the dropped iterator (in a cycle) uncollected in this process
    try:
        old = iter(DataLoader(Rows(40), batch_size=4, num_workers=1))
        next(old)
        procs = list(old._pool.procs)
        old.cycle = old
        del old
        # the new worker inherits the garbage iterator; its gc.collect() runs the iterator's finalizer
        assert len(list(DataLoader(Rows(8), batch_size=4, num_workers=1, worker_init_fn=collect_garbage))) == 2
        time.sleep(0.2)
        assert all(p.exitcode is None for p in procs)
    finally:
        gc.enable()
        gc.collect()
    assert all(p.exitcode is not None for p in procs)
    assert not leftovers()
