package transfer

// SetMaxJobs changes how many jobs run at once, on a running queue. Jobs
// already running keep going even when the new limit is lower; the limit
// applies to the jobs that start from now on. A raised limit starts queued
// jobs at once. n below 1 is taken as 1.
func (q *Queue) SetMaxJobs(n int) {
	n = max(n, 1)
	q.mu.Lock()
	defer q.mu.Unlock()
	q.maxJobs = n
	q.schedule()
}

// MaxJobs is how many jobs may run at once.
func (q *Queue) MaxJobs() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.maxJobs
}
