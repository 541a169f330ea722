"""The watch over the whole order book: mail that stopped reaching Enterprise Email, orders about
to lapse with auto-renew off, LogicBoxes actions that failed or sit pending too long. Found in
rounds by one instance at a time (a lease in the database), remembered there, alerted once."""
