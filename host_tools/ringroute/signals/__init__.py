"""Signal generators for the emulated world (numpy, host side): DTMF, caller ID, tones."""
