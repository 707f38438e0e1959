"""The office's and the photo agency's exports, pure over the queue's state and per-class counts.

``counts``: per-class counts, fees, totals and the make-up list; ``agency``: the photo agency's list in
shooting order and the export's ticket shape; ``xlsx``: the workbook both the station and the centre write.
Nothing here reads a database: the station (``photoqueue.device.store.export``) and the centre pass the data in.
"""
