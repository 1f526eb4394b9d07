"""Sphinx configuration: numpydoc, autosummary, sphinx-gallery, pydata theme.

Build with ``python -m sphinx -W -b html doc doc/_build/html`` (the test
suite does, warnings as errors). The gallery runs every script in
``examples/``; they are small enough to run as they are (about a minute).
"""

import os

import matplotlib

matplotlib.use("Agg")

import skoneclass  # noqa: E402

project = "skoneclass"
author = "the skoneclass developers"
copyright = "2026, the skoneclass developers"  # noqa: A001
release = version = skoneclass.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]

autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Sections of the library's own ("Training parameters", "Shared parameters")
# are prose, not numpydoc sections.
numpydoc_validation_checks = set()

templates_path = ["_templates"]
exclude_patterns = ["_build", "images/README.md"]

html_theme = "pydata_sphinx_theme"
html_title = "skoneclass"
html_theme_options = {"navigation_with_keys": False}

# No network while building: intersphinx inventories are not fetched.
intersphinx_mapping = {}

sphinx_gallery_conf = {
    "examples_dirs": os.path.join("..", "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"\.py$",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "plot_gallery": os.environ.get("SKONECLASS_DOCS_PLOT", "True"),
    # "Examples using X" on every API page.
    "doc_module": ("skoneclass",),
    "backreferences_dir": os.path.join("generated", "backreferences"),
}

plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
suppress_warnings = []


def _skip_metadata_requests(app, what, name, obj, skip, options):
    # scikit-learn generates set_<method>_request on every estimator; its
    # docstrings refer to scikit-learn's own glossary.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_requests)
