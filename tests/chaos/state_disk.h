// --disk-full: the daemon's state directory on a small file system of its own that the run fills
// up and frees again, at random steps. A tmpfs mounted in a private mount namespace of this
// process (inherited by the daemon and `rebuild-state` it starts), so it needs root; the host's
// mounts are never touched.
#pragma once

#include <string>

namespace xdrsync::chaos {

class StateDisk {
 public:
  // Makes this process's mount namespace private and mounts a tmpfs of `megabytes` at `dir`
  // (created). False, with the reason in *error, when that is not possible (not root).
  bool Mount(const std::string& dir, int megabytes, std::string* error);
  // Fills every free byte with a ballast file; the state can no longer grow. Bytes written.
  long long Fill();
  // Deletes the ballast.
  void Free();
  bool full() const { return full_; }
  // Copies the directory's files to `to` (the run directory's copy outlives the namespace).
  void CopyOut(const std::string& to) const;
  // Unmounts it (its files are gone with it).
  void Unmount();

 private:
  std::string dir_;
  bool full_ = false;
};

}  // namespace xdrsync::chaos
