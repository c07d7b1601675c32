"""(stub: DLPack interop is being written)"""
