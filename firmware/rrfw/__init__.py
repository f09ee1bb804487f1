# The ringroute firmware: one package whose folders are its layers
# (ARCHITECTURE.md). Lower layers never import higher ones:
#   hal/      the HAL contract and the ESP32 HAL: the only hardware access
#   dsp/      signal processing: DTMF in and out, caller ID, tones
#   line/     the trunk line: ring detection, hang-up, call progress, learning, countries
#   store/    flash: atomic files, the config store and its check, call records
#   call/     call logic: the app, each line's call flows, IVR, routing, queueing
#   console/  the serial console: protocol, commands, PIN
VERSION = "0.1.0"
