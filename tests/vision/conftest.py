from tests.vision.helpers import media_dir, shared_index  # noqa: F401  (fixtures)
