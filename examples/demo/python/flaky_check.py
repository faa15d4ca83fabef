"""A deliberately flaky check, reproducible on purpose.

Real flaky tests lose a race now and then. This one draws the race from a PRNG seeded
with a fixed seed and the attempt number greenlight passes in GREENLIGHT_ATTEMPT, so
with the default seed attempt 1 always loses and attempt 2 always wins: greenlight
retries it (retries: 1) and records the verdict `flaky`, keeping both attempts.
Set DEMO_FLAKY_SEED to try other seeds.
"""

import os
import random
import sys

DEFAULT_SEED = "2034"
LOSS_PROBABILITY = 0.5


def main() -> int:
    seed = os.environ.get("DEMO_FLAKY_SEED", DEFAULT_SEED)
    attempt = int(os.environ.get("GREENLIGHT_ATTEMPT", "1"))
    roll = random.Random(f"{seed}-{attempt}").random()
    if roll < LOSS_PROBABILITY:
        print(f"attempt {attempt}: lost the race (seed {seed}, roll {roll:.3f} < {LOSS_PROBABILITY})")
        return 1
    print(f"attempt {attempt}: the service answered in time (seed {seed}, roll {roll:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
