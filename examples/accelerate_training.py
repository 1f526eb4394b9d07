"""Training a deep detector through Hugging Face Accelerate
========================================================

Pass an ``accelerate.Accelerator`` as ``device``: skorch's ``AccelerateMixin``
then hands the network, optimizer and data loader to it. The same script runs

- as a plain process: ``python examples/accelerate_training.py`` (one device,
  the result identical to ``device="cpu"``/``"cuda"``);
- on several GPUs or nodes: ``accelerate launch --multi_gpu
  examples/accelerate_training.py`` (each process trains on its shard of every
  epoch, gradients are averaged, the scores are the same in every process);
- in several CPU processes (gloo), as the test suite does:
  ``ACCELERATE_USE_CPU=true torchrun --nproc_per_node 2
  examples/accelerate_training.py``;
- in mixed precision: ``Accelerator(mixed_precision="bf16")``.

The data here is the breast-cancer one-class task of the demo (benign normal,
five labeled malignant samples), standardized.
"""

import time

import numpy as np
import torch
from accelerate import Accelerator
from sklearn.preprocessing import StandardScaler

from skoneclass import DeepSAD
from skoneclass.demo import one_class_breast_cancer
from skoneclass.metrics import labeled_roc_auc


def main():
    X_train, y_train, X_test, y_test = one_class_breast_cancer()
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    params = dict(max_epochs=30, pretrain_epochs=30, lr_milestones=(), lr=1e-3,
                  batch_size=32, random_state=0)  # fmt: skip

    accelerator = Accelerator()
    accelerated = DeepSAD(device=accelerator, **params).fit(X_train, y_train)
    auroc = labeled_roc_auc(y_test, accelerated.score_samples(X_test))
    accelerator.print(
        f"{accelerator.num_processes} process(es) on {accelerator.device}: "
        f"test AUROC {auroc:.3f}"
    )
    results = {"auroc": auroc, "num_processes": accelerator.num_processes}
    scores = torch.as_tensor(
        accelerated.score_samples(X_test), device=accelerator.device
    )
    # Every process holds the same trained network (gradients are averaged).
    gathered = accelerator.gather(scores[None])
    spread = (gathered.max(dim=0).values - gathered.min(dim=0).values).max().item()
    accelerator.print(f"largest score difference between processes: {spread:.2g}")
    results["score_spread_across_processes"] = spread
    if accelerator.num_processes == 1:
        # One process: Accelerate changes where training runs, not what it
        # computes.
        plain = DeepSAD(device=str(accelerator.device), **params).fit(X_train, y_train)
        diff = np.abs(plain.score_samples(X_test) - accelerated.score_samples(X_test))
        results["max_score_difference"] = float(diff.max())
        print(f"largest score difference to the plain fit: {diff.max():.2g}")
    # Tear down the process group once every rank is done.
    accelerator.wait_for_everyone()
    accelerator.end_training()
    # gloo's worker threads release a finished collective's tensors a moment
    # after it returns and need the GIL for that; if the interpreter is
    # already shutting down they abort the process (core dump: a worker in
    # ~AsyncBarrierWork -> TensorImpl::decref_pyobject -> take_gil ->
    # pthread_exit -> std::terminate; 1 run in ~30 here,
    # pytorch/pytorch#179291). Hand them the GIL before exiting.
    if accelerator.num_processes > 1:
        time.sleep(0.5)
    return results


if __name__ == "__main__":
    main()
