"""ringroute host tools: CLI, emulator and configuration compiler."""
__version__ = "0.1.0"
