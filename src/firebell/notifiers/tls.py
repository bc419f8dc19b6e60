"""The TLS context outbound webhook calls share: reading the CA bundle costs about 20 ms of CPU, so it is read
once per process, not once per request (httpx builds a fresh one for every `httpx.request`)."""

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR), built once."""
    return httpx.create_ssl_context()
