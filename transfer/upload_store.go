package transfer

// forJob returns the uploader to run job with: u itself, or a copy talking
// to the job's own store. Every request of the job, its resume and its
// abort included, goes through the returned uploader's Store, so a job can
// never send part of its upload to another bucket.
func (u *Uploader) forJob(job UploadJob) *Uploader {
	if job.Store == nil {
		return u
	}
	c := *u
	c.Store = job.Store
	return &c
}
