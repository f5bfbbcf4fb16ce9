package results

import (
	"errors"
	"time"
)

// ParseJUnit reads one mocha-junit-reporter XML file.
func ParseJUnit(path string, mtime time.Time, data []byte) ([]Evidence, error) {
	return nil, errors.New("junit: not implemented yet")
}
