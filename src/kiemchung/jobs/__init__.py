"""Background jobs: one huey queue for all engine work, outside web requests.

    from kiemchung.jobs import queue, tasks
    queue.enqueue(tasks.reindex_fact_checks, [12])   # a web route: after its commit
    kiemchung worker --threads 4                     # consumes the queue (huey consumer)

``queue`` builds the huey instance from the settings (SQLite file by default, Redis when
configured, ``immediate`` in tests); ``tasks`` holds the jobs, each safe to run twice;
``dead`` keeps the jobs that failed every retry for the desk page ``/desk/jobs``.
"""
