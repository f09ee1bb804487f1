"""The emulator: the emulated board, its virtual world, scenarios and the runner."""
