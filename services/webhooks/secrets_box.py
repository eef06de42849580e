"""Webhook secrets encrypted at rest with REGTL_SECRET_KEY (Fernet: AES-128-CBC + HMAC).

The key comes from the environment or, on first run without one, is generated into the data
directory (mode 600). A deployment with several processes must set REGTL_SECRET_KEY: each
process generating its own would make the others' secrets unreadable.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

KEY_FILE = "secret-key"


class SecretBox:
    def __init__(self, key: str):
        try:
            self._fernet = Fernet(key.encode())
        except ValueError:
            raise ValueError(
                "REGTL_SECRET_KEY must be 32 url-safe base64-encoded bytes "
                "(generate one: python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())')"
            ) from None

    def seal(self, plain: str) -> bytes:
        return self._fernet.encrypt(plain.encode())

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken:
            raise ValueError(
                "a webhook secret cannot be decrypted with REGTL_SECRET_KEY (was the key changed?)"
            ) from None


def load_or_create_key(configured: str | None, data_dir: Path) -> str:
    if configured:
        return configured
    path = data_dir / KEY_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
