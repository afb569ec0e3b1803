# SPDX-License-Identifier: Apache-2.0
#
# Helpers shared by the load-test scripts (sourced, not run).

# free_port: a TCP port on 127.0.0.1 that nothing listens on now (random, 20000-59999).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
