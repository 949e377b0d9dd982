"""hqd — turning 公立医院高质量发展 reform plans into measured results."""

__version__ = "0.1.0"
