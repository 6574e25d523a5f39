# Sourced by the screenshot scripts: installs what is missing (Chromium from Debian too, as root) and builds kelas.
bash scripts/setup.sh chromium
swift build --product kelas >/dev/null
