"""Chapter 1: the runtime, its interpreter and thread states, start-up, running code.

{py:mod}`pyinternals.runtime.pystate` models `Python/pystate.c`: the runtime's list of
interpreters (`interp_head`), each interpreter's list of thread states, and the
current thread state.  The threads chapter builds its threads on these states.
"""
