#include "greenlight/cli/cli.hpp"
namespace greenlight::cli {
int main(int, char**) { return 0; }
}
