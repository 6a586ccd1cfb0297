"""The bookings desk: what the studio's booking and client pages read and do.

`sheet` (day sheet and week calendar), `record` (one booking: history, e-mails),
`actions` (arrived, no-show, cancel, book for a client, block time) and `clients`
(people built from bookings). The views in `studio/bookings.py` and `studio/clients.py`
stay thin over these. Placing, moving and cancelling a booking is `booking.service`'s
work, with the same database guards as the visitor's.
"""
