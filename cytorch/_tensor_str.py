"""(stub: printing is being written)"""


def _str(t, tensor_contents=None):
    return "tensor(" + repr(t.tolist()) + ")"
