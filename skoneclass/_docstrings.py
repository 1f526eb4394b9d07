"""The documentation of the parameters the deep estimators share.

Each estimator's docstring holds the line ``{shared}``; the
:func:`shared_parameters` class decorator replaces it with the parameters of
this table that the estimator's ``__init__`` takes and its docstring does not
document itself, in signature order, each with the default of the signature
(so a changed default cannot leave a stale one in the docs).
"""

import inspect
import re

#: name -> (type, description). The default is the signature's.
SHARED_PARAMETERS = {
    "network": (
        '{"mlp", "lenet28", "lenet32", "lenet28-fmnist"} or FeatureMap',
        "Feature map: an MLP, the thesis's LeNet CNN for 28x28 gray (MNIST's)\n"
        "or 32x32 color images, its Fashion-MNIST LeNet (conv 16 and 32, dense\n"
        "64, code 32), or a trainable part such as\n"
        "``skoneclass.parts.ConvNet(image_shape=(1, 8, 8))`` (the MLP\n"
        "parameters below then do not apply).",
    ),
    "hidden_dims": (
        'tuple of int or "auto"',
        'MLP hidden widths; "auto" uses the thesis\'s ODDS sizes (128-64 for\n'
        "more than 100 features, 64-32 above 40, else 32-16).",
    ),
    "rep_dim": (
        'int or "auto"',
        'Representation size; "auto": 32 above 100 features, 16 above 40, 8\n'
        "above 8, else 4 (thesis ODDS sizes); 32 / 128 for the LeNets.",
    ),
    "activation": ('{"leaky_relu", "relu", "elu"}', "Hidden-layer activation."),
    "negative_slope": (
        "float",
        "Leaky ReLU slope (reference code; the thesis text says 0.1).",
    ),
    "batch_norm": (
        "bool",
        "Batch norm without affine parameters in the hidden layers.",
    ),
    "weight_init": (
        '{"glorot", "pytorch"}',
        "Initial weights: Glorot-uniform (the thesis's text) or PyTorch's own\n"
        "layer initialization, uniform in +-1/sqrt(fan_in), from which the\n"
        "Deep SAD reference code produced the thesis's tables. The smaller\n"
        "weights train faster at lr 1e-4: under the thesis's ODDS protocol,\n"
        "Deep SAD with plain batches gains 4.7, 8.4 and 3.6 AUROC points on\n"
        "cardio, satellite and thyroid (``benchmarks/deepsad_recipe.py``);\n"
        "HSC gains too, one-class Deep SVDD does not (``benchmarks/odds.py``).",
    ),
    "optimizer": ('{"adam", "adamw", "sgd"} or torch optimizer class', ""),
    "lr": ("float", "Learning rate."),
    "lr_milestones": (
        "tuple of int or None",
        "Epochs after which the learning rate is divided by 10.",
    ),
    "max_epochs": (
        'int or "auto"',
        '"auto": {max_epochs} (the recipe), more when the data are too few for\n'
        "lr x optimizer steps to reach 0.2 (``skoneclass.deep.schedule``);\n"
        "the value used is ``max_epochs_``.",
    ),
    "batch_size": (
        'int or "auto"',
        '"auto": {batch_size} (the recipe), smaller (down to 32) when the data\n'
        "are too few for lr x optimizer steps to reach 0.2; the value used is\n"
        "``batch_size_``.",
    ),
    "weight_decay": ("float", "L2 penalty lambda on the weights."),
    "device": (
        "str, torch.device or accelerate.Accelerator",
        '"auto" picks CUDA when available; "cuda" without a GPU is an error.\n'
        "An ``Accelerator`` trains on the devices it manages.",
    ),
    "random_state": (
        "int, RandomState instance or None",
        "Seeds initialization and batch order; CPU fits are reproducible.",
    ),
    "n_networks": (
        "int",
        "Networks trained from independent draws of ``random_state``; the\n"
        "score is the mean of their scores, each centered on its median\n"
        "training score and divided by its interquartile range. One network's\n"
        "ranking of the test data moves with its initialization (Deep SAD on a\n"
        "small data set: 62 to 86 AUROC over six initializations of one\n"
        "split); the mean moves less and ranks better, at n_networks times\n"
        "the fit time. With more than one, ``networks_`` holds the fitted\n"
        "networks, trained one after the other with the same ``callbacks``;\n"
        "``net_`` (and ``history_``, ``center_``, ``embed``, ``reconstruct``,\n"
        "``explain``) is the first's; ``offset_`` comes from ``contamination``.",
    ),
    "callbacks": (
        "list of skorch callbacks",
        "Added to the training (e.g. ``skoneclass.TrainingProgressBar()``,\n"
        "``skorch.callbacks.EarlyStopping``).",
    ),
    "verbose": (
        "int",
        "1: the device, each training phase's name and its per-epoch log.",
    ),
    "contamination": (
        '"auto" or float in (0, 0.5]',
        "Fraction of training samples below ``offset_``.",
    ),
}


def format_default(value):
    """A default as the docs write it: ``"auto"``, ``1e-4``, ``(50,)``."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value != 0 and abs(value) < 1e-3:
        mantissa, exponent = f"{value:.0e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return repr(value)


def documented_parameters(doc):
    """``{name: default text or None}`` of a numpydoc Parameters section."""
    section = re.search(
        r"^Parameters\n-+\n(.*?)(?=^\w[\w ]*\n-+\n|\Z)",
        inspect.cleandoc(doc or ""),
        flags=re.DOTALL | re.MULTILINE,
    )
    found = {}
    for line in section.group(1).splitlines() if section else ():
        match = re.match(r"^(\w[\w, ]*?) : (.*)$", line)
        if match:
            default = re.search(r"default=(.+)$", match.group(2))
            for name in match.group(1).split(","):
                found[name.strip()] = default.group(1) if default else None
    return found


def shared_parameters(**descriptions):
    """Class decorator: fill the ``{shared}`` line of the docstring.

    Parameters
    ----------
    **descriptions : str
        A description replacing the table's for this class, by parameter.
    """

    def fill(cls):
        own = documented_parameters(cls.__doc__.replace("{shared}", ""))
        signature = inspect.signature(cls.__init__).parameters.values()
        lines = []
        for param in signature:
            if param.name not in SHARED_PARAMETERS or param.name in own:
                continue
            kind, text = SHARED_PARAMETERS[param.name]
            text = descriptions.get(param.name, text)
            recipe = getattr(cls, "_training_recipe", None)
            if recipe is not None and param.name in recipe:
                text = text.format(**recipe)
            lines.append(
                f"    {param.name} : {kind}, default={format_default(param.default)}"
            )
            lines += [f"        {row}" for row in text.splitlines()]
        cls.__doc__ = cls.__doc__.replace("    {shared}", "\n".join(lines))
        return cls

    return fill
