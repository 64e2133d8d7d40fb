"""Imported by the kill -9 test's fork server: Tagih loaded and warmed once for all workers."""

from tests.support.kill9_worker import preload

preload()
