/*
 * KB Q293150 — "FIX: Leak in Repeated Calls to MAPILogonEx" (Exchange 5.5 RTM–SP3, Outlook 98,
 * Extended MAPI 1.0, CDO 1.2). Every MAPILogonEx creates a private heap that Logoff/Release never
 * destroys; after thousands of logons message properties come out corrupt, resources run out and
 * the process dies (the KB's repro: 6000 logon/logoff iterations).
 *
 * Facts (see `heapsleuth facts --list`):
 *   mapi_orphaned_session_heaps  private heaps tied to MAPI (objects with MAPI vtables, property
 *                                blocks, identically shaped siblings) that nothing live references
 *   mapi_corrupt_prop_blocks     SPropValue arrays with an entry broken the way heap misuse breaks it
 *
 * Threshold: 64 orphaned session heaps. A healthy client holds one heap per *live* session — a
 * handful, and those are referenced from the session objects, so they are not orphaned at all. A
 * few orphans can come from a session torn down mid-logoff at the moment of the dump; dozens
 * cannot. 64 is an order of magnitude above anything a live client explains and two orders below
 * the KB's repro, so the leak is caught long before the process dies.
 */

rule KB293150_full
{
    meta:
        id = "KB293150"
        title = "Leak in repeated calls to MAPILogonEx: orphaned MAPI session heaps and corrupted properties"
        kb = "Q293150"
        severity = "high"
        summary = "Many MAPI session heaps are orphaned (one leaked per logon) and MAPI property blocks are already corrupt: the documented late stage of the leak."
        remedy = "Install Exchange Server 5.5 SP4 or the Outlook 2000 MAPI (the fix for Q293150); until then reuse one MAPI session instead of logging on and off per message."
    condition:
        mapi_loaded == 1 and mapi_orphaned_session_heaps >= 64 and mapi_corrupt_prop_blocks >= 1
}

rule KB293150_early
{
    meta:
        id = "KB293150-early"
        title = "Leak in repeated calls to MAPILogonEx: orphaned MAPI session heaps, no corruption yet"
        kb = "Q293150"
        severity = "medium"
        summary = "Many MAPI session heaps are orphaned (one leaked per logon) but no property block is corrupt yet: the leak is under way and will end in corrupt messages and a crash."
        remedy = "Install Exchange Server 5.5 SP4 or the Outlook 2000 MAPI; reuse one MAPI session; restart the service before the heaps exhaust the address space."
    condition:
        mapi_loaded == 1 and mapi_orphaned_session_heaps >= 64 and mapi_corrupt_prop_blocks == 0
}
