// Exporting a large part of an archive on two cores: segments of the (time, id) order formatted by a worker thread.
