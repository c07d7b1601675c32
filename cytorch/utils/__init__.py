"""cytorch.utils: data loading (later), DLPack interop."""
