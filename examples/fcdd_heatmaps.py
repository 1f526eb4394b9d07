"""FCDD heatmaps: where a texture is defective
============================================

FCDD (thesis 3.1) trains a fully convolutional network on defect-free
texture images, with confetti noise pasted into them as synthetic anomalies.
Its output map is a low-resolution heatmap; ``FCDD.explain`` upsamples it by
the receptive field's Gaussian. The synthetic defect set
(``skoneclass.datasets.make_defect_textures``) has ground-truth masks: the
figure shows test images with a blob, a scratch or a re-woven patch (top),
FCDD's heatmap over them (middle) and the true defect (bottom), and the
pixel-level AUROC of the heatmaps against the masks.

Run with ``python examples/fcdd_heatmaps.py [output_dir]``.
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score

from skoneclass import FCDD
from skoneclass.datasets import make_defect_textures
from skoneclass.plot import heatmap_overlay


def main(output_dir=None):
    X_train, _, _ = make_defect_textures(300, 0, random_state=0)
    X_test, y_test, masks = make_defect_textures(60, 60, random_state=1)
    fcdd = FCDD(channels=(32, 64), max_epochs=40, random_state=0).fit(X_train)
    anomalous = y_test == -1
    image_auc = roc_auc_score(anomalous, -fcdd.score_samples(X_test))
    heatmaps = fcdd.explain(X_test[anomalous])
    pixel_auc = roc_auc_score(masks[anomalous].ravel(), heatmaps.ravel())
    shown = np.arange(6)
    fig, axes = plt.subplots(3, 6, figsize=(10, 5.4))
    images = X_test[anomalous][shown, 0]
    for ax, image in zip(axes[0], images, strict=True):
        ax.imshow(image, cmap="gray", vmin=0, vmax=1)
    heatmap_overlay(images.clip(0, 1), heatmaps[shown], axes=axes[1])
    for ax, mask in zip(axes[2], masks[anomalous][shown], strict=True):
        ax.imshow(mask, cmap="gray")
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    for ax, label in zip(
        axes[:, 0], ("input", "FCDD heatmap", "true defect"), strict=True
    ):
        ax.set_ylabel(label)
    fig.suptitle(
        f"FCDD on synthetic textures: image AUROC {image_auc:.3f}, "
        f"pixel AUROC {pixel_auc:.3f}"
    )
    fig.tight_layout()
    if output_dir is not None:
        fig.savefig(Path(output_dir) / "fcdd_heatmaps.png", dpi=100)
    print(f"image AUROC {image_auc:.3f}, pixel AUROC {pixel_auc:.3f}")
    return {"image_auroc": image_auc, "pixel_auroc": pixel_auc}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
    plt.show()
