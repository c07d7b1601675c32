"""cytorch.utils.data in one process: datasets, samplers, collation, DataLoader semantics.

Compared with PyTorch when it is installed (same batches for the same key order, same collate
outputs, same lengths and errors); otherwise against plain-Python expectations.
"""
import collections
import warnings

import numpy as np
import pytest

import cytorch
from cytorch.utils.data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset, DistributedSampler,
                                IterableDataset, RandomSampler, SequentialSampler, StackDataset, Subset,
                                SubsetRandomSampler, TensorDataset, WeightedRandomSampler, default_collate,
                                default_convert, get_worker_info, random_split)
from cytorch.utils.data._collate import collate
from cytorch.utils.data.dataset import _TensorBatch


def py(x):
    """A comparable plain-Python form of a (nested) loader output from either library."""
    if hasattr(x, "dtype") and hasattr(x, "shape") and hasattr(x, "tolist") and not isinstance(x, np.ndarray):
        return ("T", str(x.dtype).split(".")[-1], tuple(x.shape), x.tolist())
    if isinstance(x, dict):
        return {k: py(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__,) + tuple(py(v) for v in x)
    if isinstance(x, (list, tuple)):
        return type(x)(py(v) for v in x)
    return x


def same_error(fn_ct, fn_th):
    """Both raise the same exception type with the same message."""
    with pytest.raises(Exception) as e_ct:
        fn_ct()
    with pytest.raises(Exception) as e_th:
        fn_th()
    assert type(e_ct.value) is type(e_th.value)
    assert str(e_ct.value).replace("cytorch", "torch") == str(e_th.value)


# ---------------------------------------------------------------- datasets

def test_tensor_dataset_items_and_errors():
    x, y = cytorch.arange(12.).view(6, 2), cytorch.arange(6)
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    a, b = ds[4]
    assert a.tolist() == [8., 9.] and b.item() == 4
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, cytorch.arange(5))
    batch = ds.__getitems__([5, 0, -1])
    assert isinstance(batch, _TensorBatch) and len(batch) == 3
    assert [s[1].item() for s in batch] == [5, 0, 5]
    xb, yb = default_collate(batch)
    assert xb.tolist() == [[10., 11.], [0., 1.], [10., 11.]] and yb.tolist() == [5, 0, 5]
    with pytest.raises(IndexError, match="index 6 is out of bounds for dimension 0 with size 6"):
        default_collate(ds.__getitems__([1, 6]))


def test_tensor_dataset_batch_equals_per_sample(torch):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((50, 3, 4)).astype(np.float32), rng.integers(0, 9, 50)
    keys = [[3, 1, 4], [1, 5, 9, 2, 6], [49, 0]]
    ours = [default_collate(TensorDataset(cytorch.from_numpy(x), cytorch.from_numpy(y)).__getitems__(k))
            for k in keys]
    ref_ds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    ref = [torch.utils.data.default_collate([ref_ds[i] for i in k]) for k in keys]
    assert py(ours) == py(ref)


def test_stack_dataset(torch):
    a, b = [1, 2, 3], TensorDataset(cytorch.arange(3))
    s = StackDataset(a, b)
    assert len(s) == 3 and s[1][0] == 2 and s[1][1][0].item() == 1
    d = StackDataset(x=a, y=[4, 5, 6])
    assert d[2] == {"x": 3, "y": 6}
    assert d.__getitems__([0, 2]) == [{"x": 1, "y": 4}, {"x": 3, "y": 6}]
    items = s.__getitems__([2, 0])
    assert items[0][0] == 3 and items[0][1][0].item() == 2
    TS = torch.utils.data.StackDataset
    same_error(lambda: StackDataset(a, x=a), lambda: TS(a, x=a))
    same_error(lambda: StackDataset(), lambda: TS())
    same_error(lambda: StackDataset(a, [1]), lambda: TS(a, [1]))


def test_concat_dataset(torch):
    c = ConcatDataset([[0, 1, 2], [3], [4, 5]])
    assert len(c) == 6 and [c[i] for i in range(6)] == list(range(6)) and c[-1] == 5 and c[-6] == 0
    assert c.cumulative_sizes == [3, 4, 6]
    assert (Dataset.__add__(TensorDataset(cytorch.arange(2)), [9]))[2] == 9
    TC = torch.utils.data.ConcatDataset
    same_error(lambda: c[-7], lambda: TC([[0, 1, 2], [3], [4, 5]])[-7])
    same_error(lambda: ConcatDataset([]), lambda: TC([]))

    class It(IterableDataset):
        def __iter__(self):
            return iter([1])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([It()])


def test_chain_dataset():
    class It(IterableDataset):
        def __init__(self, r):
            self.r = r

        def __iter__(self):
            return iter(self.r)

        def __len__(self):
            return len(self.r)
    ch = ChainDataset([It(range(3)), It(range(10, 12))])
    assert list(ch) == [0, 1, 2, 10, 11] and len(ch) == 5
    assert list(It(range(2)) + It(range(5, 6))) == [0, 1, 5]
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(ChainDataset([[1, 2]]))


def test_subset():
    ds = TensorDataset(cytorch.arange(10) * 10)
    sub = Subset(ds, [9, 3, 5])
    assert len(sub) == 3 and sub[0][0].item() == 90
    xb, = default_collate(sub.__getitems__([2, 0]))
    assert xb.tolist() == [50, 90]
    assert Subset([5, 6, 7], [2, 0]).__getitems__([0, 1]) == [7, 5]

    class Bad(Subset):
        def __getitem__(self, i):
            return 0
    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Bad([1], [0])


def test_random_split_lengths_fractions_and_errors(torch):
    g = cytorch.Generator().manual_seed(3)
    parts = random_split(range(10), [3, 7], generator=g)
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    again = random_split(range(10), [3, 7], generator=cytorch.Generator().manual_seed(3))
    assert again[0].indices == parts[0].indices
    # fractions: floor, then the remainder dealt round-robin (PyTorch's sizes)
    for n, fr in ((30, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (7, [0.1, 0.2, 0.7]), (5, [0.25] * 4)):
        ours = [len(p) for p in random_split(range(n), fr)]
        ref = [len(p) for p in torch.utils.data.random_split(range(n), fr)]
        assert ours == ref
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [1.0, 0.0])
    same_error(lambda: random_split(range(10), [3, 3]), lambda: torch.utils.data.random_split(range(10), [3, 3]))
    same_error(lambda: random_split(range(10), [1.5, -0.5]),
               lambda: torch.utils.data.random_split(range(10), [1.5, -0.5]))


# ---------------------------------------------------------------- samplers

def test_sequential_and_random_sampler():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3] and len(SequentialSampler(range(4))) == 4
    s = RandomSampler(range(20), generator=cytorch.Generator().manual_seed(1))
    first = list(s)
    assert sorted(first) == list(range(20)) and len(s) == 20
    assert list(RandomSampler(range(20), generator=cytorch.Generator().manual_seed(1))) == first
    assert list(s) != first               # the generator advanced: a new epoch, a new order
    cytorch.manual_seed(5)
    a = list(RandomSampler(range(20)))
    cytorch.manual_seed(5)
    assert list(RandomSampler(range(20))) == a     # no generator: seeded from the default one
    more = list(RandomSampler(range(5), num_samples=12))
    assert len(more) == 12 and sorted(more[:5]) == list(range(5)) and sorted(more[5:10]) == list(range(5))
    rep = list(RandomSampler(range(3), replacement=True, num_samples=100))
    assert len(rep) == 100 and set(rep) == {0, 1, 2}


def test_sampler_errors(torch):
    T = torch.utils.data
    same_error(lambda: RandomSampler(range(3), replacement=1), lambda: T.RandomSampler(range(3), replacement=1))
    same_error(lambda: RandomSampler(range(3), num_samples=0), lambda: T.RandomSampler(range(3), num_samples=0))
    same_error(lambda: RandomSampler([]), lambda: T.RandomSampler([]))
    same_error(lambda: WeightedRandomSampler([1.], 0), lambda: T.WeightedRandomSampler([1.], 0))
    same_error(lambda: WeightedRandomSampler([1.], 1, replacement=0), lambda: T.WeightedRandomSampler([1.], 1, 0))
    same_error(lambda: WeightedRandomSampler([[1.]], 1), lambda: T.WeightedRandomSampler([[1.]], 1))
    same_error(lambda: BatchSampler(range(3), 0, False), lambda: T.BatchSampler(range(3), 0, False))
    same_error(lambda: BatchSampler(range(3), True, False), lambda: T.BatchSampler(range(3), True, False))
    same_error(lambda: BatchSampler(range(3), 2, 1), lambda: T.BatchSampler(range(3), 2, 1))


def test_subset_and_weighted_sampler():
    s = SubsetRandomSampler([10, 20, 30], generator=cytorch.Generator().manual_seed(0))
    assert sorted(s) == [10, 20, 30] and len(s) == 3
    w = WeightedRandomSampler([0., 1., 0., 3.], 400, generator=cytorch.Generator().manual_seed(0))
    drawn = list(w)
    assert len(w) == 400 and set(drawn) == {1, 3}
    assert 0.65 < drawn.count(3) / 400 < 0.85
    nr = list(WeightedRandomSampler([1., 1., 1., 5.], 4, replacement=False))
    assert sorted(nr) == [0, 1, 2, 3]


@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_matches_torch(torch, drop_last):
    for n, bs in ((10, 3), (9, 3), (1, 4), (0, 2)):
        ours = BatchSampler(SequentialSampler(range(n)), bs, drop_last)
        ref = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)), bs, drop_last)
        assert list(ours) == list(ref) and len(ours) == len(ref)


@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (10, 3, True), (9, 3, False), (2, 4, False),
                                                  (11, 4, True), (1, 3, False)])
def test_distributed_sampler_matches_torch(torch, n, replicas, drop_last):
    for rank in range(replicas):
        ours = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        ref = torch.utils.data.DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(ref) and len(ours) == len(ref)


def test_distributed_sampler_shuffle_epochs_and_errors(torch):
    parts = [list(DistributedSampler(range(11), 3, r, seed=7)) for r in range(3)]
    flat = sum(parts, [])
    assert len(flat) == 12 and set(flat) == set(range(11))     # padded to 12 with one repeat
    s = DistributedSampler(range(11), 3, 0, seed=7)
    assert list(s) == parts[0]
    s.set_epoch(1)
    assert list(s) != parts[0] and s.epoch == 1
    assert list(DistributedSampler(range(11), 3, 0, seed=8)) != parts[0]
    T = torch.utils.data.DistributedSampler
    same_error(lambda: DistributedSampler(range(4), 2, 2), lambda: T(range(4), 2, 2))
    same_error(lambda: DistributedSampler(range(4), 2, -1), lambda: T(range(4), 2, -1))
    with pytest.raises(RuntimeError, match="Requires distributed package"):
        DistributedSampler(range(4))


# ---------------------------------------------------------------- collate

Point = collections.namedtuple("Point", "x y")


def collate_cases(lib):
    t = lib.tensor
    return [
        [t([1., 2.]), t([3., 4.])],
        [t(1), t(2)],
        [np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)],
        [np.float32(1.5), np.float32(2.5)],
        [np.float64(1.5), np.float64(2.5)],
        [np.int16(3), np.int16(4)],
        [np.bool_(True), np.bool_(False)],
        [1, 2, 3],
        [1.5, 2.0],
        [True, False],
        ["a", "b"],
        [b"a", b"b"],
        [{"x": t([1]), "s": "u"}, {"x": t([2]), "s": "v"}],
        [(t(1), 2.0, "a"), (t(3), 4.0, "b")],
        [[1, 2], [3, 4]],
        [Point(1, t([1.])), Point(2, t([2.]))],
        [{"a": [1, (2.0, "z")]}, {"a": [3, (4.0, "w")]}],
    ]


def test_default_collate_matches_torch(torch):
    for ours, ref in zip(collate_cases(cytorch), collate_cases(torch)):
        assert py(default_collate(ours)) == py(torch.utils.data.default_collate(ref)), ours


def test_default_collate_without_torch():
    x = default_collate([(cytorch.zeros(2), 1, 0.5, "a"), (cytorch.ones(2), 2, 1.5, "b")])
    assert isinstance(x, list) and x[0].tolist() == [[0., 0.], [1., 1.]]
    assert x[1].dtype == cytorch.int64 and x[2].dtype == cytorch.float64 and x[3] == ("a", "b")
    p = default_collate([Point(1, 2), Point(3, 4)])
    assert isinstance(p, Point) and p.x.tolist() == [1, 3]
    assert default_collate([np.float32(1), np.float32(2)]).dtype == cytorch.float32
    assert default_collate([np.array([1, 2], np.int32)] * 2).dtype == cytorch.int32


def test_collate_errors(torch):
    D = torch.utils.data.default_collate
    same_error(lambda: default_collate([[1, 2], [3]]), lambda: D([[1, 2], [3]]))
    same_error(lambda: default_collate([cytorch.zeros(2), cytorch.zeros(3)]),
               lambda: D([torch.zeros(2), torch.zeros(3)]))
    same_error(lambda: default_collate([None, None]), lambda: D([None, None]))
    strs = [np.array(["a"]), np.array(["b"])]
    same_error(lambda: default_collate(strs), lambda: D(strs))


def test_collate_registry():
    def as_float(batch, *, collate_fn_map):
        return cytorch.stack(batch).float() + 100
    out = collate([(cytorch.tensor(1), "a"), (cytorch.tensor(2), "b")],
                  collate_fn_map={cytorch.Tensor: as_float, str: lambda b, *, collate_fn_map: "".join(b)})
    assert out[0].tolist() == [101., 102.] and out[1] == "ab"
    # a custom tensor collate also wins over the TensorDataset fast path
    ds = TensorDataset(cytorch.arange(4))
    assert collate(ds.__getitems__([1, 2]), collate_fn_map={cytorch.Tensor: as_float})[0].tolist() == [101., 102.]


def test_default_convert_matches_torch(torch):
    def cases(lib):
        return [np.array([1, 2]), np.array(["s"]), np.float32(2.0), 3, "x", lib.tensor([1]), (np.array([1.]), 2),
                {"a": np.array([1], np.int16), "b": "c"}, [np.array(1), "q"], Point(np.array(0), 1)]
    for ours, ref in zip(cases(cytorch), cases(torch)):
        assert py(default_convert(ours)) == py(torch.utils.data.default_convert(ref))


# ---------------------------------------------------------------- DataLoader (single process)

class Squares(Dataset):
    def __init__(self, lib, n=10):
        self.lib, self.n = lib, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": self.lib.tensor([float(i), float(i * i)]), "i": i, "name": f"s{i}"}


def loader_cases(lib):
    T = lib.utils.data if lib is not cytorch else cytorch.utils.data
    tds = T.TensorDataset(lib.arange(20.).view(10, 2), lib.arange(10))
    sq = Squares(lib)
    return [
        dict(dataset=tds),
        dict(dataset=tds, batch_size=3),
        dict(dataset=tds, batch_size=3, drop_last=True),
        dict(dataset=tds, batch_size=None),
        dict(dataset=tds, sampler=[9, 1, 5, 3], batch_size=2),
        dict(dataset=tds, batch_sampler=[[4, 2], [0], [9, 8, 7]]),
        dict(dataset=sq, batch_size=4),
        dict(dataset=sq, batch_size=None),
        dict(dataset=sq, batch_size=3, collate_fn=lambda b: [s["i"] for s in b]),
        dict(dataset=T.Subset(tds, [3, 1, 2]), batch_size=2),
        dict(dataset=T.StackDataset(tds, sq), batch_size=3),
        dict(dataset=T.ConcatDataset([tds, tds]), batch_size=7, drop_last=True),
    ]


def test_loader_batches_match_torch(torch):
    for ours, ref in zip(loader_cases(cytorch), loader_cases(torch)):
        dl_ct = DataLoader(**ours)
        dl_th = torch.utils.data.DataLoader(**ref)
        assert len(dl_ct) == len(dl_th)
        assert py(list(dl_ct)) == py(list(dl_th)), ours


def test_loader_shuffle_is_seeded_and_complete():
    x = cytorch.arange(100)
    ds = TensorDataset(x)
    g = cytorch.Generator().manual_seed(0)
    ep1 = [b[0].tolist() for b in DataLoader(ds, batch_size=16, shuffle=True, generator=g)]
    ep2 = [b[0].tolist() for b in DataLoader(ds, batch_size=16, shuffle=True, generator=g)]
    assert sorted(sum(ep1, [])) == list(range(100)) and ep1 != ep2
    again = [b[0].tolist() for b in DataLoader(ds, batch_size=16, shuffle=True,
                                                generator=cytorch.Generator().manual_seed(0))]
    assert again == ep1
    assert [len(b) for b in ep1] == [16] * 6 + [4]


def test_loader_per_sample_and_fast_path_agree():
    rng = np.random.default_rng(1)
    x, y = cytorch.from_numpy(rng.standard_normal((37, 5)).astype(np.float32)), cytorch.arange(37)
    order = cytorch.randperm(37).tolist()

    class Plain(Dataset):
        def __len__(self):
            return 37

        def __getitem__(self, i):
            return x[i], y[i]
    fast = list(DataLoader(TensorDataset(x, y), sampler=order, batch_size=8))
    slow = list(DataLoader(Plain(), sampler=order, batch_size=8))
    assert py(fast) == py(slow)
    # a user collate_fn still sees a list of samples
    sizes = list(DataLoader(TensorDataset(x, y), batch_size=8, collate_fn=lambda b: [len(b), len(b[0])]))
    assert sizes[0] == [8, 2] and sizes[-1] == [5, 2]


def Stream(lib, n, sized=False):
    """range(n) as an IterableDataset of ``lib`` (with ``__len__`` when sized)."""
    base = IterableDataset if lib is cytorch else lib.utils.data.IterableDataset

    class S(base):
        def __iter__(self):
            return iter(range(n))
    if sized:
        S.__len__ = lambda self: n
    return S()


def SizedStream(lib, n):
    return Stream(lib, n, sized=True)


def test_iterable_dataset_loader_matches_torch(torch):
    for kw in (dict(), dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)):
        assert py(list(DataLoader(Stream(cytorch, 8), **kw))) == py(list(torch.utils.data.DataLoader(Stream(torch, 8),
                                                                                                     **kw)))
    for kw in (dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)):
        assert len(DataLoader(SizedStream(cytorch, 8), **kw)) == len(torch.utils.data.DataLoader(SizedStream(torch, 8),
                                                                                                   **kw))
    with pytest.raises(TypeError):
        len(DataLoader(Stream(cytorch, 8)))


def test_iterable_len_warning():
    class Liar(IterableDataset):
        def __iter__(self):
            return iter(range(4))

        def __len__(self):
            return 2
    dl = DataLoader(Liar(), batch_size=1)
    assert len(dl) == 2
    with pytest.warns(UserWarning, match="was reported to be 2"):
        assert len(list(dl)) == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list(DataLoader(Liar(), batch_size=1))    # len() never asked: no warning


def test_loader_argument_errors_match_torch(torch):
    tds = TensorDataset(cytorch.arange(4))
    ref = torch.utils.data.TensorDataset(torch.arange(4))
    bad = [
        dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(num_workers=1, prefetch_factor=-1),
        dict(persistent_workers=True), dict(sampler=[0, 1], shuffle=True), dict(batch_sampler=[[0]], batch_size=2),
        dict(batch_sampler=[[0]], shuffle=True), dict(batch_sampler=[[0]], drop_last=True),
        dict(batch_size=None, drop_last=True), dict(batch_size=0), dict(multiprocessing_context="fork"),
        dict(num_workers=1, multiprocessing_context="nope"), dict(num_workers=1, multiprocessing_context=3),
    ]
    for kw in bad:
        same_error(lambda: DataLoader(tds, **kw), lambda: torch.utils.data.DataLoader(ref, **kw))
    for kw in (dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])):
        same_error(lambda: DataLoader(Stream(cytorch, 3), **kw), lambda: torch.utils.data.DataLoader(Stream(torch, 3),
                                                                                                      **kw))
    dl = DataLoader(tds)
    same_error(lambda: setattr(dl, "batch_size", 3),
               lambda: setattr(torch.utils.data.DataLoader(ref), "batch_size", 3))
    same_error(lambda: iter(DataLoader(tds, timeout=1)), lambda: iter(torch.utils.data.DataLoader(ref, timeout=1)))


def test_loader_misc_arguments():
    tds = TensorDataset(cytorch.arange(6))
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true"):
        assert len(list(DataLoader(tds, pin_memory=True, batch_size=4))) == 2
    dl = DataLoader(tds, batch_size=4)
    dl.num_workers = 0                      # not a guarded attribute
    it = iter(dl)
    assert len(it) == 2 and iter(it) is it
    with pytest.raises(NotImplementedError):
        import pickle
        pickle.dumps(it)
    assert get_worker_info() is None


def test_share_memory():
    t = cytorch.arange(12.).view(3, 4)[:, 1:]
    assert not t.is_shared()
    before = t.tolist()
    assert t.share_memory_() is t
    assert t.is_shared() and t.tolist() == before and t.stride() == (4, 1)
    assert t.share_memory_() is t
    t[0, 0] = 100.
    assert t[0, 0].item() == 100.
