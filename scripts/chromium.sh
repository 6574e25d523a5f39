# Sourced by the screenshot scripts: installs what is missing (Chromium from Debian too, as root) and builds kelas.
bash scripts/setup.sh
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else echo "install chromium first: sudo apt-get install -y chromium" >&2; exit 1; fi
fi
swift build --product kelas >/dev/null
