# Sourced by the bench scripts: installs what is missing (GNU time too), builds kelas in release, sets $kelas.
bash scripts/setup.sh
command -v /usr/bin/time >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq time >/dev/null; }
swift build -c release --product kelas >/dev/null
kelas="$PWD/.build/release/kelas"
