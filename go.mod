module gitlab.com/hatchery/hatchery

go 1.26.8

require (
	github.com/alecthomas/kong v1.17.0
	github.com/mattn/go-isatty v0.0.20
	github.com/rogpeppe/go-internal v1.16.0
)

require (
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/tools v0.48.0 // indirect
)
