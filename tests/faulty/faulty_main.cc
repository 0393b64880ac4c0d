// amanat_faulty: the amanat command line with fault injection (fault_injection.h). Built only
// with the test suite and never installed; tests/fault_test.cc drives it.
#include <cstdio>

#include "cli/entry.h"
#include "tests/faulty/fault_injection.h"

int main(int argc, char** argv) {
  if (!amanat::testing::InstallFaultInjection()) return 2;
  return amanat::cli::Main(argc, argv);
}
