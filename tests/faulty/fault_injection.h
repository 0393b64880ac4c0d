// Fault injection for the test-only program amanat_faulty: fails the Nth write, fsync or
// truncate, counted over vault.db and its journal (through a shim SQLite VFS over the default
// unix VFS) and over every other file Amanat writes (through vault/fs.h's FileIoHooks).
//
// Configured from the environment of amanat_faulty only (the amanat binary has none of this):
//   AMANAT_FAULT_AT=N          fail the Nth operation (1-based); unset or 0: no fault
//   AMANAT_FAULT_MODE=once     only the Nth fails (default)
//                  =persistent the Nth and every later one fail (a device that went away)
//   AMANAT_FAULT_ERROR=eio     SQLITE_IOERR_WRITE/_FSYNC/_TRUNCATE, errno EIO (default)
//                   =enospc   SQLITE_FULL, errno ENOSPC (disk full)
//                   =kill     SIGKILL just before the Nth operation (a crash at that point;
//                             no report is written)
//   AMANAT_FAULT_REPORT=FILE   at exit, write "<operations counted> <faults injected>\n"
#ifndef AMANAT_TESTS_FAULTY_FAULT_INJECTION_H_
#define AMANAT_TESTS_FAULTY_FAULT_INJECTION_H_

namespace amanat::testing {

// Reads the configuration, registers the shim VFS as SQLite's default and installs the file
// hooks. Returns false (with a message on stderr) if the configuration is malformed.
bool InstallFaultInjection();

}  // namespace amanat::testing

#endif  // AMANAT_TESTS_FAULTY_FAULT_INJECTION_H_
