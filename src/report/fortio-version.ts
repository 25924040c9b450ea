// Version strings, defined once: the fortio release whose behaviour and text
// meshbench follows (user agent, echo server banner) and the version meshbench
// reports in fortio's `Version` field and header line.

export const FORTIO_VERSION = '1.11.3';

/** Shown as fortio's `Version` / "Fortio <ver> running at…". */
export const MESHBENCH_FORTIO_VERSION = 'meshbench-0.1';
