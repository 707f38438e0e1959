"""The queue's rules, pure and shared by the station and the centre: commands in, events and effects
out (``queue.decide``/``apply``), the code check, the codes' digests, the photographer's pace, and the
wire form of staff commands. Time is passed in; nothing here touches a disk, a device or a network."""
