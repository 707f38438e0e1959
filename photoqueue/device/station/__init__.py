"""The program on the Pi: the queue thread (app), its parts and their adapters (camera, buttons, printer,
screen), health, date confirmation, the photo watch, the config and diagnose. Imports store/ and sync/."""
