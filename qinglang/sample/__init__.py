"""A synthetic institution for demos, tests and benchmarks: customers, complaints (with the
letter channel exported apart in GB18030), calls with voiceprints, online posts, companies,
alliance intelligence and attachment images, with agent gangs planted among genuine
customers and the ground truth written to `truth/`.

    from qinglang.sample import generate
    counts = generate(out_dir, customers=2000, seed=7)
"""

from .generate import generate

__all__ = ["generate"]
