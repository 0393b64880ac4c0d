// The whole command line as a function, so that the amanat binary (cli/main.cc) and the
// test-only fault-injecting build (tests/faulty/) run the same code.
#ifndef AMANAT_CLI_ENTRY_H_
#define AMANAT_CLI_ENTRY_H_

namespace amanat::cli {

// Hardens the process, parses `argv`, runs the command and prints its error. Returns the exit
// code (DESIGN.md: 0 ok, 1 verification failed, 2 usage, 3 auth, 4 not found, 5 storage).
int Main(int argc, char** argv);

}  // namespace amanat::cli

#endif  // AMANAT_CLI_ENTRY_H_
