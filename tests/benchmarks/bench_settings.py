"""The production settings with one change: the URLconf adds the benchmark's ceiling view.
DEBUG, ALLOWED_HOSTS and the servers still come from the environment, as in production."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.bench_urls"
