# Sourced by the scripts that start `ti mock`: sets `ti` to the binary to run, $TI_BIN when set
# (CI passes the one its test build made), else one built here.
ti=${TI_BIN:-}
if [ -z "$ti" ]; then
  cargo build --quiet -p thoughtindustries-cli
  ti=${CARGO_TARGET_DIR:-target}/debug/ti
fi
