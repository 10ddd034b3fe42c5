console.error("build placeholder")
