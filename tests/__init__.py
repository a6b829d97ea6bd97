"""symmat's tests. A package, so that pytest puts the repository root on ``sys.path``
(tests import ``symmat`` from the source tree and share ``tests.strategies``)."""
