"""Inference paths for users: ``lfdn-restore`` (images in, restored images out) and ``lfdn-export``."""
