"""Saving and loading fitted estimators without pickle.

:func:`save` writes a zip file: the estimator's object tree as JSON (classes
by import path, parameters and fitted values as plain data), numpy arrays as
``.npy`` members (read with ``allow_pickle=False``) and torch tensors in one
member read by ``torch.load(weights_only=True)``. :func:`load` rebuilds the
tree from classes of trusted packages only (skoneclass, scikit-learn, skorch,
torch, numpy, scipy) and never unpickles, so a file cannot run code of its
own choosing on load. It is the format of choice for sharing a model; pickle
keeps working for the rest.

What a skorch net saves is what scoring and refitting need: the trained
module and criterion, the history and the settings. The optimizer's state
(Adam's moments) and the callbacks' fitted state are training scratch and
are not saved; callbacks come back as their parameters (as
:func:`sklearn.base.clone` makes them).
"""

import base64
import collections
import copyreg
import functools
import importlib
import io
import json
import types
import warnings
import zipfile

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback

from ._version import __version__

FORMAT = "skoneclass-model"
#: Bumped whenever a file written now could not be read by an older reader.
FORMAT_VERSION = 1

_TRUSTED_PACKAGES = frozenset(
    {"skoneclass", "sklearn", "skorch", "torch", "numpy", "scipy", "collections"}
)
#: The only functions a file may call, to rebuild C-extension objects.
_RECONSTRUCTORS = frozenset(
    {
        "sklearn.neighbors._kd_tree:newObj",
        "sklearn.neighbors._ball_tree:newObj",
        "sklearn.metrics._dist_metrics:newObj",
        "numpy.random._pickle:__randomstate_ctor",
        "numpy.random._pickle:__bit_generator_ctor",
        "numpy.random._pickle:__generator_ctor",
    }
)
#: Fitted training scratch of a skorch net, rebuilt (or left out) on load.
_NET_SCRATCH = ("optimizer_", "callbacks_", "virtual_params_")
_PLAIN = (str, bool, int, float, type(None))
_DICTS = (dict, collections.OrderedDict, collections.defaultdict, collections.Counter)


def save(estimator, path):
    """Save an estimator (fitted or not) to ``path`` without pickle.

    Parameters
    ----------
    estimator : object
        Any skoneclass estimator, or a scikit-learn estimator or
        :class:`~sklearn.pipeline.Pipeline` made of them.
    path : str, path-like or binary file object
        Where to write; conventionally ``*.skoneclass``.

    Returns
    -------
    path : the ``path`` argument

    Raises
    ------
    TypeError
        If the estimator holds an object that has no plain-data form (a
        lambda, an open file, a class defined in ``__main__``), named with
        its place in the estimator.

    See Also
    --------
    load : Read it back.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> import skoneclass
    >>> X = np.random.RandomState(0).randn(100, 3)
    >>> est = skoneclass.Gaussian().fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skoneclass")
    >>> restored = skoneclass.load(skoneclass.save(est, path))
    >>> bool(np.array_equal(restored.score_samples(X), est.score_samples(X)))
    True
    """
    encoder = _Encoder()
    root = encoder.encode(estimator, type(estimator).__name__)
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": _versions(),
        "root": root,
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model.json", json.dumps(header))
        for key, array in encoder.arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=False)
            archive.writestr(f"arrays/{key}.npy", buffer.getvalue())
        if encoder.tensors:
            buffer = io.BytesIO()
            torch.save(encoder.tensors, buffer)
            archive.writestr("tensors.pt", buffer.getvalue())
    return path


def load(path, *, device=None, trusted=()):
    """Load an estimator written by :func:`save`.

    Parameters
    ----------
    path : str, path-like or binary file object
    device : str, torch.device or None, default=None
        Where the networks go, e.g. "cpu" for a model trained on a GPU.
        None keeps the device they were saved from when it exists here, and
        falls back to the CPU (with a warning) when CUDA is not available.
    trusted : iterable of str, default=()
        Import paths (``"package.module:Class"``) of further classes to
        allow, e.g. a user's own transformer in a saved Pipeline.

    Returns
    -------
    estimator : object
        Equal to the saved one: its scores are identical.

    Raises
    ------
    ValueError
        If ``path`` is not a file written by :func:`save`, or comes from a
        newer format version than this skoneclass reads.
    TypeError
        If the file names a class outside the trusted packages.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, IsADirectoryError) as error:
        raise ValueError(
            f"{path!r} is not a skoneclass model file (written by "
            "skoneclass.save): it is not a zip archive."
        ) from error
    with archive:
        names = set(archive.namelist())
        if "model.json" not in names:
            raise ValueError(
                f"{path!r} is not a skoneclass model file (written by "
                "skoneclass.save): it has no model.json."
            )
        header = json.loads(archive.read("model.json"))
        _check_header(header, path)
        cuda_here = torch.cuda.is_available()
        target = device if device is not None else (None if cuda_here else "cpu")
        tensors = {}
        if "tensors.pt" in names:
            tensors = torch.load(
                io.BytesIO(archive.read("tensors.pt")),
                weights_only=True,
                map_location=target,
            )

        def read_array(key):
            data = io.BytesIO(archive.read(f"arrays/{key}.npy"))
            return np.load(data, allow_pickle=False)

        decoder = _Decoder(read_array, tensors, frozenset(trusted))
        estimator = decoder.decode(header["root"])
    for net in decoder.nets:
        _restore_net(net, device, cuda_here)
    return estimator


def _versions():
    import sklearn

    return {
        "skoneclass": __version__,
        "sklearn": sklearn.__version__,
        "torch": torch.__version__,
    }


def _check_header(header, path):
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{path!r} is not a skoneclass model file.")
    version = header.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(
            f"{path!r} has format version {version!r}, but this skoneclass "
            f"reads versions up to {FORMAT_VERSION}: upgrade skoneclass to "
            "load it."
        )
    saved, here = header.get("versions", {}), _versions()
    changed = [
        f"{name} {saved[name]} (now {here[name]})"
        for name in ("skoneclass", "sklearn")
        if name in saved and saved[name] != here[name]
    ]
    if changed:
        warnings.warn(
            f"{path!r} was saved with {', '.join(changed)}; check its scores "
            "before relying on them.",
            UserWarning,
            stacklevel=3,
        )


def _restore_net(net, device, cuda_here):
    """Rebuild a loaded skorch net's scratch and settle its device."""
    saved = str(net.device)
    if device is not None:
        net.device = str(device)
    elif saved.startswith("cuda") and not cuda_here:
        warnings.warn(
            f"The model was trained on {saved!r}, which this machine does not "
            "have: it was loaded onto the CPU.",
            UserWarning,
            stacklevel=3,
        )
        net.device = "cpu"
    net.initialize_virtual_params()
    net.initialize_callbacks()


def _import_path(obj):
    return f"{obj.__module__}:{obj.__qualname__}"


class _Encoder:
    """The estimator's object tree as JSON, with arrays and tensors aside."""

    def __init__(self):
        self.arrays = {}
        self.tensors = {}
        self._memo = {}
        # Objects memoized by id must stay alive until the end.
        self._keep = []

    def encode(self, obj, where):
        if isinstance(obj, _PLAIN) and not isinstance(obj, np.generic):
            return obj
        ref = self._memo.get(id(obj))
        if ref is not None:
            return {"$ref": ref}
        node_id = len(self._memo)
        self._memo[id(obj)] = node_id
        self._keep.append(obj)
        node = self._node(obj, where)
        node["$id"] = node_id
        return node

    def _items(self, items, where):
        return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(items)]

    def _pairs(self, mapping, where):
        return [
            [self.encode(k, where), self.encode(v, f"{where}[{k!r}]")]
            for k, v in mapping.items()
        ]

    def _node(self, obj, where):
        if isinstance(obj, torch.Tensor):
            key = str(len(self.tensors))
            self.tensors[key] = obj.detach()
            return {
                "$tensor": key,
                "parameter": isinstance(obj, torch.nn.Parameter),
                "requires_grad": obj.requires_grad,
            }
        if isinstance(obj, np.ndarray | np.generic):
            array = np.asarray(obj)
            if array.dtype.hasobject:
                return {
                    "$object_array": self._items(array.ravel().tolist(), where),
                    "shape": list(array.shape),
                    "scalar": isinstance(obj, np.generic),
                }
            key = str(len(self.arrays))
            self.arrays[key] = array
            return {"$array": key, "scalar": isinstance(obj, np.generic)}
        if isinstance(obj, np.dtype):
            return {"$dtype": self.encode(obj.descr if obj.fields else obj.str, where)}
        if isinstance(obj, torch.device | torch.dtype):
            return {"$torch": str(obj), "kind": type(obj).__name__}
        if isinstance(obj, bytes):
            return {"$bytes": base64.b64encode(obj).decode("ascii")}
        if type(obj) in (list, tuple, set, frozenset):
            items = sorted(obj, key=repr) if isinstance(obj, set | frozenset) else obj
            return {"$" + type(obj).__name__: self._items(items, where)}
        if type(obj) in _DICTS:
            node = {
                "$dict": self._pairs(obj, where),
                "type": self._global(type(obj), where),
            }
            if isinstance(obj, collections.defaultdict):
                node["factory"] = self.encode(obj.default_factory, where)
            return node
        if isinstance(obj, types.MethodType | functools.partial):
            raise TypeError(
                f"skoneclass.save cannot store {where}: {obj!r} is a bound "
                "method or a partial; use a function or a class."
            )
        if isinstance(obj, type) or callable(obj) and hasattr(obj, "__qualname__"):
            return {"$global": self._global(obj, where)}
        if isinstance(obj, Callback):
            # The callback's settings, not its fitted state.
            params = obj.get_params(deep=False)
            return {
                "$callback": self._global(type(obj), where),
                "params": self.encode(params, where),
            }
        cls = type(obj)
        plain = (
            cls.__reduce_ex__ is object.__reduce_ex__
            and cls.__reduce__ is object.__reduce__
        )
        if plain and hasattr(obj, "__dict__") and not hasattr(cls, "__slots__"):
            state = dict(vars(obj))
            if isinstance(obj, NeuralNet):
                for name in _NET_SCRATCH:
                    state.pop(name, None)
            node = {
                "$object": self._global(type(obj), where),
                "state": self._state(state, where),
            }
            # A list subclass (skorch's History) keeps its items besides.
            if isinstance(obj, list):
                node["items"] = self._items(obj, where)
            elif isinstance(obj, dict):
                node["items"] = self._pairs(obj, where)
            return node
        return self._reduced(obj, where)

    def _state(self, state, where):
        return {k: self.encode(v, f"{where}.{k}") for k, v in state.items()}

    def _reduced(self, obj, where):
        """An extension type (a KD-tree, a RandomState) by its pickle protocol,
        with a reconstructor from the allowed list."""
        try:
            reduced = obj.__reduce_ex__(4)
        except TypeError as error:
            raise TypeError(
                f"skoneclass.save cannot store {where} ({type(obj).__name__})."
            ) from error
        func, args, state = (tuple(reduced) + (None,))[:3]
        path = _import_path(func) if hasattr(func, "__qualname__") else None
        if path not in _RECONSTRUCTORS and func is not copyreg.__newobj__:
            raise TypeError(
                f"skoneclass.save cannot store {where}: an object of type "
                f"{type(obj).__module__}.{type(obj).__qualname__} has no "
                "plain-data form."
            )
        return {
            "$reduce": self._global(func, where),
            "args": self.encode(tuple(args), where),
            "state": self.encode(state, where),
        }

    @staticmethod
    def _global(obj, where):
        path = _import_path(obj)
        if "<" in path:
            raise TypeError(
                f"skoneclass.save cannot store {where}: {path} is a lambda or a "
                "local definition, which cannot be imported back; define it "
                "at the top of a module."
            )
        return path


class _Decoder:
    def __init__(self, read_array, tensors, trusted):
        self._read_array = read_array
        self._tensors = tensors
        self._trusted = trusted
        self._memo = {}
        self.nets = []

    def decode(self, node):
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return self._memo[node["$ref"]]
        node_id = node["$id"]
        kind = next(k for k in node if k.startswith("$") and k != "$id")
        return getattr(self, "_" + kind[1:])(node, node_id)

    def _keep(self, node_id, obj):
        self._memo[node_id] = obj
        return obj

    def _resolve(self, path, *, call=False):
        module_name, _, qualname = path.partition(":")
        trusted = path in self._trusted or (
            module_name.split(".")[0] in _TRUSTED_PACKAGES
        )
        if not trusted and module_name != "builtins":
            raise TypeError(
                f"The file names {path}, which is not in skoneclass's trusted "
                "packages; pass trusted=[...] to load() if you trust it."
            )
        obj = importlib.import_module(module_name)
        for name in qualname.split("."):
            obj = getattr(obj, name)
        if module_name == "builtins" and not isinstance(obj, type):
            raise TypeError(f"The file names the builtin function {path}.")
        if not isinstance(obj, type) and path not in self._trusted:
            if not call or path not in _RECONSTRUCTORS:
                raise TypeError(
                    f"The file names the function {path}; skoneclass.load "
                    "refers to classes only."
                )
        return obj

    def _tensor(self, node, node_id):
        tensor = self._tensors[node["$tensor"]]
        if node["parameter"]:
            tensor = torch.nn.Parameter(tensor, requires_grad=node["requires_grad"])
        else:
            tensor.requires_grad_(node["requires_grad"])
        return self._keep(node_id, tensor)

    def _array(self, node, node_id):
        array = self._read_array(node["$array"])
        return self._keep(node_id, array[()] if node["scalar"] else array)

    def _object_array(self, node, node_id):
        array = np.empty(len(node["$object_array"]), dtype=object)
        array[:] = [self.decode(v) for v in node["$object_array"]]
        array = array.reshape(node["shape"])
        return self._keep(node_id, array[()] if node["scalar"] else array)

    def _dtype(self, node, node_id):
        descr = self.decode(node["$dtype"])
        if isinstance(descr, list):
            descr = [tuple(field) for field in descr]
        return self._keep(node_id, np.dtype(descr))

    def _torch(self, node, node_id):
        if node["kind"] == "device":
            return self._keep(node_id, torch.device(node["$torch"]))
        return self._keep(node_id, getattr(torch, node["$torch"].split(".")[-1]))

    def _bytes(self, node, node_id):
        return self._keep(node_id, base64.b64decode(node["$bytes"]))

    def _list(self, node, node_id):
        items = self._keep(node_id, [])
        items.extend(self.decode(v) for v in node["$list"])
        return items

    def _tuple(self, node, node_id):
        return self._keep(node_id, tuple(self.decode(v) for v in node["$tuple"]))

    def _set(self, node, node_id):
        return self._keep(node_id, {self.decode(v) for v in node["$set"]})

    def _frozenset(self, node, node_id):
        return self._keep(
            node_id, frozenset(self.decode(v) for v in node["$frozenset"])
        )

    def _dict(self, node, node_id):
        cls = self._resolve(node["type"])
        if cls not in _DICTS:
            raise TypeError(f"The file names {node['type']} as a dict type.")
        if cls is collections.defaultdict:
            result = collections.defaultdict(self.decode(node["factory"]))
        else:
            result = cls()
        self._keep(node_id, result)
        self._fill(result, node["$dict"])
        return result

    def _fill(self, mapping, pairs):
        for key, value in pairs:
            mapping[self.decode(key)] = self.decode(value)

    def _global(self, node, node_id):
        return self._keep(node_id, self._resolve(node["$global"]))

    def _callback(self, node, node_id):
        cls = self._resolve(node["$callback"])
        if not issubclass(cls, Callback):
            raise TypeError(f"The file names {node['$callback']} as a callback.")
        return self._keep(node_id, cls(**self.decode(node["params"])))

    def _object(self, node, node_id):
        cls = self._resolve(node["$object"])
        obj = self._keep(node_id, cls.__new__(cls))
        state = {k: self.decode(v) for k, v in node["state"].items()}
        # Attributes only: no __setstate__, so no code of the class runs.
        obj.__dict__.update(state)
        if isinstance(obj, list):
            obj.extend(self.decode(v) for v in node.get("items", ()))
        elif isinstance(obj, dict):
            self._fill(obj, node.get("items", ()))
        if isinstance(obj, NeuralNet):
            self.nets.append(obj)
        return obj

    def _reduce(self, node, node_id):
        path = node["$reduce"]
        if path == "copyreg:__newobj__":
            args = self.decode(node["args"])
            cls = args[0]
            if not isinstance(cls, type):
                raise TypeError("The file's __newobj__ names no class.")
            obj = cls.__new__(cls, *args[1:])
        else:
            func = self._resolve(path, call=True)
            obj = func(*self.decode(node["args"]))
        self._keep(node_id, obj)
        state = self.decode(node["state"])
        if state is not None and hasattr(obj, "__setstate__"):
            obj.__setstate__(state)
        elif state is not None:
            obj.__dict__.update(state)
        return obj
