"""Chat channels: the tipline on Zalo OA, Facebook Messenger and Telegram.

One adapter module per platform (``zalo``, ``messenger``, ``telegram``), each with ``enabled``,
``verify`` (as the platform documents it, constant-time), ``parse`` (to ``IncomingMessage``) and
``send`` (httpx to the platform's send API). ``web`` holds the webhooks, ``service`` the
store-once/acknowledge/process/send loop over the shared outbox, ``conversation`` the menu.
"""
