"""Citizens' feedback (góp ý, hiến kế, phản ánh): a public form, threads clustered by the engine,
routing to departments, official answers approved by a second editor, and public threads.

    accept(...)            -> service.accept: a FeedbackItem stored now (form, API, chat channels);
                              the cluster_feedback job then joins it to a thread or starts one
    submit(...)            -> service.submit: both steps at once (CLI, imports, tests)
    /gop-y                 -> the form and the published threads (feedback.public)
    /desk/gop-y            -> the feedback queue (feedback.desk)
    kiemchung report feedback --month 2026-11

Ideas and issues, not people: no name, no account, no address is stored with the text; an optional
contact lives apart (``TipContact``), deletable through its link, and is erased once the answer is sent.
"""
