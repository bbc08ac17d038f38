"""Child process of the kill test: marks, removes and comments as fast as it can,
printing each action only after the call has returned (i.e. was acknowledged)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from session_fakes import fake_host, load  # noqa: E402

from imgmarker.kernel.campaign.session import Session  # noqa: E402


def main(experiment: str, seed: int) -> None:
    host = fake_host()
    rng = random.Random(seed)
    own: list[int] = []
    with Session.open(load(Path(experiment), host), user="kill", host=host, export_delay=0.02) as s:
        print("ready", flush=True)
        counter = 0
        while True:
            counter += 1
            s.go_to(rng.randrange(len(s)))
            roll = rng.random()
            if roll < 0.15 and own:
                mark_id = own.pop(rng.randrange(len(own)))
                print(f"removing {mark_id}", flush=True)
                s.remove_mark(mark_id)
                print(f"removed {mark_id}", flush=True)
            elif roll < 0.25:
                text = f"c{seed}_{counter}, \"q\"\n"
                s.set_comment(text)
                print(f"comment {s.current.name} {counter}", flush=True)
            else:
                label = f"k{seed}_{counter}"
                print(f"adding {label}", flush=True)
                # anywhere on the 50 x 40 pixel images (a mark beyond the edges is refused)
                mark = s.add_mark(rng.random() * 49, rng.random() * 39, "free", label=label).mark
                own.append(mark.id)
                print(f"added {mark.id} {label}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
